// SPDX-License-Identifier: MPL-2.0
/*  sein_settings.h - seind's own settings, declared beside libsein's

    libsein declares the settings the clients read (endpoints.*, client.*,
    storage.dir and storage.file, include/sein_config.h); this table
    declares the rest, which only seind reads. seind loads both through
    sein_settings_load, so every group of its file is checked, while the
    clients leave these settings unread.
*/
#ifndef SEIN_SETTINGS_H_INCLUDED
#define SEIN_SETTINGS_H_INCLUDED

#include "sein_config.h"

//  seind's table, ending with {NULL}.
extern const sein_setting_t sein_settings[];

//  sein_config_load with seind's table as well as libsein's: the loader of
//  seind and of the tests of its classes. Same contract.
sein_config_t *
    sein_settings_load (const char *file, const char **overrides, int noverrides,
                        char **error_p);

#endif
