# Shared by the CaptainOS boot scripts: kernel command line lookup and JSON log lines.
# Tests point CAPTAIN_CMDLINE at a file of their own and CAPTAIN_ROOT at a scratch folder.

CAPTAIN_CMDLINE=${CAPTAIN_CMDLINE:-/proc/cmdline}
CAPTAIN_ROOT=${CAPTAIN_ROOT:-}

# The command line split into words the way the kernel does it: spaces separate words, double quotes group, and
# the quotes themselves are dropped. One word per line in CMDLINE_WORDS (an array).
# Scripts call it once before looking keys up in command substitutions, whose subshells cannot keep what it sets.
cmdline_load() {
    CMDLINE_WORDS=()
    local line="" word="" inq=0 c i
    read -r -d '' line 2> /dev/null < "$CAPTAIN_CMDLINE" || true
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

# json_escape_to VAR STRING: sets VAR to STRING escaped for a JSON string, without a subshell.
json_escape_to() {
    local -n _escaped=$1
    local s=$2
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    s=${s//$'\t'/\\t}
    _escaped=$s
}

# log LEVEL MESSAGE [KEY VALUE]...: one JSON object per line on stdout (the journal keeps it). No process is started
# for a line (the time is bash's own strftime): on a slow CPU every fork and exec on the way to the agent costs.
log() {
    local level=$1 msg=$2 out now key value
    shift 2
    TZ=UTC0 printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1
    json_escape_to msg "$msg"
    out="{\"time\":\"$now\",\"level\":\"$level\",\"component\":\"${LOG_COMPONENT:-captainos}\",\"msg\":\"$msg\""
    while [ $# -ge 2 ]; do
        json_escape_to key "$1"
        json_escape_to value "$2"
        out+=",\"$key\":\"$value\""
        shift 2
    done
    printf '%s}\n' "$out"
}
