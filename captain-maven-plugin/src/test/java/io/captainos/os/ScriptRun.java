package io.captainos.os;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one of the OS's boot scripts from {@code mkosi.extra} with bash, against a fake kernel command line, a scratch
 * root for everything it writes, and fake {@code ctr}/{@code nerdctl}/{@code agent-image} programs that record their
 * arguments.
 */
final class ScriptRun implements AutoCloseable {
    static final Path EXTRA =
            Path.of(System.getProperty("captain.extra", "../mkosi.extra")).toAbsolutePath();
    static final Path LIBEXEC = EXTRA.resolve("usr/libexec/captainos");
    private static final Pattern JSON_LINE =
            Pattern.compile("\\{\"time\":\"[^\"]+\",\"level\":\"(info|warn|error)\",\"component\":\"[a-z-]+\",\"msg\":"
                    + "\"(?:[^\"\\\\]|\\\\.)*\"(?:,\"[^\"\\\\]+\":\"(?:[^\"\\\\]|\\\\.)*\")*\\}");

    final Path dir;
    final Path root;
    final Path bin;
    final Path calls;
    final Path image;
    private final Map<String, String> env = new HashMap<>();
    private ServerSocketChannel socket;

    /** The result of a run. */
    record Result(int exit, List<String> stdout, String stderr) {
        /** Every stdout line must be one JSON object with time, level, component and msg. */
        Result assertJsonLines() {
            for (String l : stdout) {
                assertTrue(JSON_LINE.matcher(l).matches(), "not a JSON log line: " + l);
            }
            return this;
        }

        boolean logged(String level, String text) {
            return stdout.stream().anyMatch(l -> l.contains("\"level\":\"" + level + "\"") && l.contains(text));
        }
    }

    ScriptRun(Path dir, String cmdline) throws IOException {
        this.dir = dir;
        this.root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        this.bin = Files.createDirectories(dir.resolve("bin"));
        this.calls = dir.resolve("calls.log");
        this.image = Files.createDirectories(dir.resolve("image"));
        Files.writeString(dir.resolve("cmdline"), cmdline + "\n");
        env.put("CAPTAIN_CMDLINE", dir.resolve("cmdline").toString());
        env.put("CAPTAIN_ROOT", root.toString());
        env.put("CAPTAIN_LIB", LIBEXEC.resolve("lib.sh").toString());
        env.put("PATH", bin + ":/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
        env.put("FAKE_CALLS", calls.toString());
        env.put("FAKE_IMAGE", image.toString());
        env.put("FAKE_STATE", dir.resolve("images.txt").toString());
        env.put("CAPTAIN_AGENT_IMAGE", bin.resolve("agent-image").toString());
    }

    ScriptRun env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** A listening containerd socket at a scratch path. */
    ScriptRun containerdSocket() throws IOException {
        Path path = dir.resolve("containerd.sock");
        socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        socket.bind(UnixDomainSocketAddress.of(path));
        env.put("CAPTAIN_CONTAINERD_SOCKET", path.toString());
        return this;
    }

    /** What the fakes share: a pull fails while the countdown FAKE_PULL_FAILS starts (kept in FAKE_STATE.fails) lasts. */
    private static final String PULL_FAILS = """
            pull_fails() {
                local n
                n=$(cat "$FAKE_STATE.fails" 2>/dev/null || echo "${FAKE_PULL_FAILS:-0}")
                [ "$n" -gt 0 ] || return 1
                echo $((n - 1)) > "$FAKE_STATE.fails"
            }
            """;

    /** Installs a fake program into the PATH folder. */
    ScriptRun program(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/bash\nset -u\n" + PULL_FAILS + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    /**
     * A fake ctr: records each call; with {@code --user} naming no password it reads one from its terminal into
     * FAKE_STATE.password (and, as ctr does, fails when it has no terminal); {@code images pull} fails while
     * FAKE_PULL_FAILS (a counter file's number) is above zero, and records the image; {@code images ls -q} lists recorded images; {@code images mount} copies
     * the fake image's files to the mount point.
     */
    ScriptRun fakeCtr() throws IOException {
        return program("ctr", """
                printf 'ctr %s\\n' "$*" >> "$FAKE_CALLS"
                args=("$@")
                for ((i = 0; i < ${#args[@]} - 1; i++)); do
                    # As ctr: a user without ":password" is asked for the password on its terminal.
                    if [[ ${args[i]} == --user || ${args[i]} == -u ]] && [[ ${args[i+1]} != *:* ]]; then
                        if [ ! -t 0 ] && [ ! -t 1 ] && [ ! -t 2 ]; then
                            echo "panic: provided file is not a console" >&2
                            exit 2
                        fi
                        printf 'Password: '
                        stty -echo 2>/dev/null || true
                        IFS= read -r pw
                        printf '%s' "$pw" > "$FAKE_STATE.password"
                    fi
                done
                for ((i = 0; i < ${#args[@]}; i++)); do
                    case "${args[i]}" in
                        pull)
                            if pull_fails; then
                                echo "ctr: failed to resolve reference: connection refused" >&2
                                exit 1
                            fi
                            echo "${args[${#args[@]}-1]}" >> "$FAKE_STATE"
                            exit 0 ;;
                        ls) cat "$FAKE_STATE" 2>/dev/null; exit 0 ;;
                        mount) cp -a "$FAKE_IMAGE/." "${args[${#args[@]}-1]}/"; exit 0 ;;
                        unmount) exit 0 ;;
                    esac
                done
                """);
    }

    /**
     * A fake udevadm as strict as the real one for {@code settle}: only the options udevadm's settle defines
     * ({@code -t}/{@code --timeout} with whole seconds, {@code -E}/{@code --exit-if-exists}), anything else refused
     * with status 1 as udevadm does; records each call and fails (status 1, "Timed out") while FAKE_SETTLE_FAILS is 1.
     */
    ScriptRun fakeUdevadm() throws IOException {
        return program("udevadm", """
                printf 'udevadm %s\\n' "$*" >> "$FAKE_CALLS"
                [ "${1:-}" = settle ] || { echo "Unknown command verb '${1:-}'." >&2; exit 1; }
                shift
                while [ $# -gt 0 ]; do
                    case $1 in
                        --timeout=*) t=${1#--timeout=} ;;
                        -t|--timeout) [ $# -ge 2 ] || { echo "option requires an argument -- '$1'" >&2; exit 1; }
                            t=$2; shift ;;
                        --exit-if-exists=*) ;;
                        -E|--exit-if-exists) [ $# -ge 2 ] || exit 1; shift ;;
                        *) echo "udevadm settle: unrecognized option '$1'" >&2; exit 1 ;;
                    esac
                    [[ -z ${t+set} || $t =~ ^[0-9]+$ ]] || { echo "Failed to parse timeout value '$t'." >&2; exit 1; }
                    shift
                done
                if [ "${FAKE_SETTLE_FAILS:-0}" = 1 ]; then
                    echo "Timed out for waiting the udev queue being empty." >&2
                    exit 1
                fi
                """);
    }

    /** A fake nerdctl that records each call and records pulled images where the fake ctr lists them. */
    ScriptRun fakeNerdctl() throws IOException {
        return program("nerdctl", """
                printf 'nerdctl %s\\n' "$*" >> "$FAKE_CALLS"
                case " $* " in
                    *" --password-stdin "*) cat > "$FAKE_STATE.password" ;;
                esac
                case " $* " in
                    *" pull "*) echo "${@: -1}" >> "$FAKE_STATE" ;;
                esac
                exit 0
                """);
    }

    /**
     * The flags the real agent-image defines, read from its source (ctr's main, which is agent-image under that
     * name): the {@code fs.Bool} ones, then the others.
     */
    static List<List<String>> agentImageFlags() throws IOException {
        String source;
        try (var in = ScriptRun.class.getResourceAsStream("/io/captainos/core/tools/containerd/main.go")) {
            assertTrue(in != null, "agent-image's source is a resource of the plugin");
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> bools = new ArrayList<>();
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("fs\\.(Bool|String|Duration|Int)\\(\"([a-z-]+)\"")
                .matcher(source);
        while (m.find()) {
            (m.group(1).equals("Bool") ? bools : values).add(m.group(2));
        }
        assertTrue(
                values.contains("out") && bools.contains("plain-http"),
                "flags read from containerd/main.go: " + values);
        return List.of(bools, values);
    }

    /**
     * A fake agent-image as strict as the real one: the flags its source defines, parsed as Go's flag package does
     * ({@code -name} or {@code --name}, {@code =value} or the next argument, booleans without one, parsing ends at the
     * first argument that is no flag), anything else refused with status 2, as are a missing IMAGE, FILE or
     * {@code -out}. It reads the password from stdin with {@code -user}; answers "present" for an image in
     * FAKE_STATE, otherwise pulls (failing with status 4 while FAKE_PULL_FAILS counts down) and records it; copies
     * the first FILE the fake image holds to {@code -out}, or fails with status 3.
     */
    ScriptRun fakeAgentImage() throws IOException {
        List<List<String>> flags = agentImageFlags();
        env.put("FAKE_BOOL_FLAGS", String.join(" ", flags.get(0)));
        env.put("FAKE_VALUE_FLAGS", String.join(" ", flags.get(1)));
        return program("agent-image", """
                printf 'agent-image %s\n' "$*" >> "$FAKE_CALLS"
                declare -A f
                while [ $# -gt 0 ]; do
                    case $1 in
                        --) shift; break ;;
                        -|[!-]*) break ;;
                    esac
                    n=${1#-}; n=${n#-}; has=0; val=""
                    if [[ $n == *=* ]]; then val=${n#*=}; n=${n%%=*}; has=1; fi
                    if [[ " $FAKE_BOOL_FLAGS " == *" $n "* ]]; then
                        case ${val:-true} in 1|t|T|true|TRUE|True|0|f|F|false|FALSE|False) ;;
                            *) echo "invalid boolean value \"$val\" for -$n" >&2; exit 2 ;; esac
                        f[$n]=${val:-true}
                    elif [[ " $FAKE_VALUE_FLAGS " == *" $n "* ]]; then
                        if [ $has -eq 0 ]; then
                            [ $# -ge 2 ] || { echo "flag needs an argument: -$n" >&2; exit 2; }
                            shift; val=$1
                        fi
                        f[$n]=$val
                    else
                        echo "flag provided but not defined: -$n" >&2; exit 2
                    fi
                    shift
                done
                if [ $# -lt 2 ] || [ -z "${f[out]:-}" ]; then echo "usage: agent-image [flags] IMAGE FILE..." >&2; exit 2; fi
                image=$1; shift
                if [ -n "${f[user]:-}" ]; then IFS= read -r pw || true; printf '%s' "$pw" > "$FAKE_STATE.password"; fi
                if grep -Fxq -- "$image" "$FAKE_STATE" 2>/dev/null; then
                    echo present
                else
                    if pull_fails; then
                        echo "agent-image: pulling $image: failed to resolve reference: connection refused" >&2
                        exit 4
                    fi
                    echo "$image" >> "$FAKE_STATE"
                    echo pulled
                fi
                for c in "$@"; do
                    if [ -f "$FAKE_IMAGE/$c" ]; then
                        cp "$FAKE_IMAGE/$c" "${f[out]}.tmp" && chmod 0755 "${f[out]}.tmp" && mv "${f[out]}.tmp" "${f[out]}"
                        echo "found $c"
                        exit 0
                    fi
                done
                echo "agent-image: $image holds none of $*" >&2
                exit 3
                """);
    }

    Result run(String script) throws Exception {
        return run("/bin/bash", script);
    }

    /** Runs the script with the given shell: /bin/sh for what runs before systemd, as /init does. */
    Result run(String shell, String script) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of(shell, LIBEXEC.resolve(script).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish in 60 s");
        }
        List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n"));
        return new Result(p.exitValue(), lines, Files.readString(dir.resolve("stderr.txt")));
    }

    List<String> calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }
}
