// SPDX-License-Identifier: MPL-2.0
/*  sein_setup.c - load settings, reference data and routing as one unit */
#include "sein_setup.h"
#include "sein_settings.h"

#include <assert.h>
#include <czmq.h>

sein_setup_t *
sein_setup_load (const char *file, const char **overrides, int noverrides,
                 char **error_p)
{
    assert (file);
    assert (error_p);
    sein_setup_t *self = (sein_setup_t *) zmalloc (sizeof *self);
    self->config = sein_settings_load (file, overrides, noverrides, error_p);
    if (self->config)
        self->classifier = sein_classifier_new (self->config, error_p);
    if (self->classifier)
        self->router = sein_router_new (self->config, self->classifier, error_p);
    if (self->router)
        self->deadlines = sein_deadlines_new (self->config, self->classifier, error_p);
    if (!self->deadlines)
        sein_setup_destroy (&self);
    return self;
}

void
sein_setup_destroy (sein_setup_t **self_p)
{
    assert (self_p);
    sein_setup_t *self = *self_p;
    if (self) {
        //  The router borrows names from the config: destroy it first.
        sein_deadlines_destroy (&self->deadlines);
        sein_router_destroy (&self->router);
        sein_classifier_destroy (&self->classifier);
        sein_config_destroy (&self->config);
        free (self);
        *self_p = NULL;
    }
}
