# Shared by the CaptainOS boot scripts: kernel command line lookup and JSON log lines.
# Tests point CAPTAIN_CMDLINE at a file of their own and CAPTAIN_ROOT at a scratch folder.

CAPTAIN_CMDLINE=${CAPTAIN_CMDLINE:-/proc/cmdline}
CAPTAIN_ROOT=${CAPTAIN_ROOT:-}

# The command line split into words the way the kernel does it: spaces separate words, double quotes group, and
# the quotes themselves are dropped. One word per line in CMDLINE_WORDS (an array).
# Scripts call it once before looking keys up in command substitutions, whose subshells cannot keep what it sets.
cmdline_load() {
    CMDLINE_WORDS=()
    local line word="" inq=0 c i
    line=$(cat -- "$CAPTAIN_CMDLINE" 2>/dev/null || true)
    # Without quotes, splitting at blanks is all there is to it; the loop below is slow on a slow CPU.
    if [[ $line != *'"'* ]]; then
        read -r -d '' -a CMDLINE_WORDS <<< "$line" || true
        return 0
    fi
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        if [ "$c" = '"' ]; then
            inq=$((1 - inq))
        elif [ $inq -eq 0 ] && { [ "$c" = ' ' ] || [ "$c" = $'\t' ] || [ "$c" = $'\n' ]; }; then
            [ -n "$word" ] && CMDLINE_WORDS+=("$word")
            word=""
        else
            word+=$c
        fi
    done
    [ -n "$word" ] && CMDLINE_WORDS+=("$word")
    return 0
}

# Prints the value of the last KEY=value word; everything after the first '=' is the value, so values may hold
# '=' and ':'. Prints nothing (and succeeds) when the key is absent or has an empty value.
cmdline_get() {
    local key=$1 w value=""
    [ "${CMDLINE_WORDS+set}" = set ] || cmdline_load
    for w in "${CMDLINE_WORDS[@]}"; do
        case "$w" in
            "$key="*) value=${w#"$key="} ;;
        esac
    done
    printf '%s' "$value"
}

# cmdline_into ARRAY KEY...: sets ARRAY[KEY] (an associative array the caller declared) to each key's value as
# cmdline_get gives it, in one pass and without a subshell per key.
cmdline_into() {
    local -n into=$1
    local w k
    shift
    [ "${CMDLINE_WORDS+set}" = set ] || cmdline_load
    for k in "$@"; do
        into[$k]=""
    done
    for w in "${CMDLINE_WORDS[@]}"; do
        [[ $w == *=* ]] || continue
        k=${w%%=*}
        [ "${into[$k]+set}" = set ] || continue
        into[$k]=${w#*=}
    done
    return 0
}

# Succeeds when the command line holds KEY or KEY=... (even with an empty value).
cmdline_has() {
    local key=$1 w
    [ "${CMDLINE_WORDS+set}" = set ] || cmdline_load
    for w in "${CMDLINE_WORDS[@]}"; do
        case "$w" in
            "$key" | "$key="*) return 0 ;;
        esac
    done
    return 1
}

# Prints true or false for a boolean as Go's strconv.ParseBool reads it (1, t, T, TRUE, true, True, and the same
# for false); fails, printing nothing, for anything else. The agent parses its booleans that way.
go_bool() {
    case "$1" in
        1 | t | T | true | TRUE | True) printf true ;;
        0 | f | F | false | FALSE | False) printf false ;;
        *) return 1 ;;
    esac
}

json_escape() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    s=${s//$'\t'/\\t}
    printf '%s' "$s"
}

# log LEVEL MESSAGE [KEY VALUE]...: one JSON object per line on stdout (the journal keeps it).
log() {
    local level=$1 msg=$2 out
    shift 2
    out="{\"time\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"level\":\"$level\",\"component\":\"${LOG_COMPONENT:-captainos}\",\"msg\":\"$(json_escape "$msg")\""
    while [ $# -ge 2 ]; do
        out+=",\"$(json_escape "$1")\":\"$(json_escape "$2")\""
        shift 2
    done
    printf '%s}\n' "$out"
}
