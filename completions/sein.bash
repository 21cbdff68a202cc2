# SPDX-License-Identifier: MPL-2.0
# bash completion for seinctl, sein-submit, sein-watch and seind.
#
# Options and seinctl's commands are read from the program's own --help,
# so that completion follows the program it completes (and the commands
# other helpers add to seinctl) without a list to keep in step. Installed
# once per program name (bash-completion loads completions/NAME); each
# copy defines all four.

_sein_options ()
{
    "$1" --help 2>/dev/null | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p'
}

_sein_commands ()
{
    "$1" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p'
}

_sein ()
{
    local cur prev words cword
    _init_completion || return
    case $prev in
        -c | --config | --state-file | --output | -f | --file)
            _filedir
            return
            ;;
        -o | --option)
            # Setting names from the effective settings, when seinctl can read them.
            local settings
            settings=$(seinctl config 2>/dev/null | sed -n 's/^\([a-z_]*\.[a-z_]*\)[ =].*/\1=/p')
            compopt -o nospace
            COMPREPLY=($(compgen -W "$settings" -- "$cur"))
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_sein_options "$1")" -- "$cur"))
        return
    fi
    if [[ ${words[0]##*/} == seinctl ]]; then
        local word command=""
        for word in "${words[@]:1:cword-1}"; do
            [[ $word != -* ]] && command=$word && break
        done
        [[ -z $command ]] && COMPREPLY=($(compgen -W "$(_sein_commands "$1")" -- "$cur"))
    fi
}
complete -F _sein seinctl sein-submit sein-watch seind sein-http
