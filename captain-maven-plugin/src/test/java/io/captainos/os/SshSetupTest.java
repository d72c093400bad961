package io.captainos.os;

import static io.captainos.testing.Prerequisite.require;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssh-setup, run before sshd: host keys made at each boot, root's keys from ssh_authorized_keys=. */
class SshSetupTest {
    @TempDir
    Path dir;

    private String publicKey;

    @BeforeEach
    void key() throws Exception {
        require(Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "ssh-keygen (openssh-client)");
        Path key = dir.resolve("id");
        Process p = new ProcessBuilder(
                        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        publicKey = Files.readString(dir.resolve("id.pub")).trim();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void makesHostKeysAndWritesRootsKeysPrivately() throws Exception {
        String file = "# the operator's keys\n" + publicKey + "\n";
        Path root;
        String first;
        try (ScriptRun r = new ScriptRun(dir.resolve("a"), "console=ttyS0 ssh_authorized_keys=" + b64(file))) {
            ScriptRun.Result res = r.run("ssh-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(
                    res.logged("info", "authorized keys for root"), res.stdout().toString());
            root = r.root;
            Path keys = root.resolve("root/.ssh/authorized_keys");
            assertEquals(file, Files.readString(keys));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.getParent())));
            for (String type : new String[] {"rsa", "ecdsa", "ed25519"}) {
                assertTrue(Files.isRegularFile(root.resolve("etc/ssh/ssh_host_" + type + "_key")), type);
            }
            first = Files.readString(root.resolve("etc/ssh/ssh_host_ed25519_key.pub"));
        }
        try (ScriptRun r = new ScriptRun(dir.resolve("b"), "ssh_authorized_keys=" + b64(file))) {
            assertEquals(0, r.run("ssh-setup").exit());
            assertNotEquals(
                    first,
                    Files.readString(r.root.resolve("etc/ssh/ssh_host_ed25519_key.pub")),
                    "every machine makes its own host keys");
        }
    }

    @Test
    void sshdWithoutKeysWarnsThatNobodyCanLogIn() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "sshd=1")) {
            ScriptRun.Result res = r.run("ssh-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(res.logged("warn", "nobody can log in"), res.stdout().toString());
            assertFalse(Files.exists(r.root.resolve("root/.ssh/authorized_keys")));
            assertTrue(Files.isRegularFile(r.root.resolve("etc/ssh/ssh_host_ed25519_key")));
        }
    }

    @Test
    void whatIsNotBase64OrNotAKeyIsRefusedAndNothingIsWritten() throws Exception {
        for (String value : new String[] {"%%%not-base64%%%", b64("password123\n"), b64(publicKey + "\nrm -rf /\n")}) {
            try (ScriptRun r =
                    new ScriptRun(dir.resolve(Integer.toString(value.hashCode())), "ssh_authorized_keys=" + value)) {
                ScriptRun.Result res = r.run("ssh-setup").assertJsonLines();
                assertEquals(0, res.exit(), res.stderr());
                assertTrue(res.logged("error", "nobody can log in over ssh"), value + ": " + res.stdout());
                assertFalse(Files.exists(r.root.resolve("root/.ssh/authorized_keys")), value);
            }
        }
    }
}
