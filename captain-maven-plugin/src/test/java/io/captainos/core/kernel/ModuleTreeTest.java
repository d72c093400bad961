package io.captainos.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleTreeTest {
    @Test
    void trimRemovesUnwantedModulesAndTheModulesThatNeedThem(@TempDir Path dir) throws IOException {
        for (String m : List.of("kernel/fs/btrfs/btrfs.ko.zst", "kernel/net/sunrpc/sunrpc.ko.zst",
                "kernel/fs/nfs/nfs.ko.zst", "kernel/drivers/net/virtio_net.ko.zst", "kernel/lib/needs_rpc.ko.zst")) {
            Files.createDirectories(dir.resolve(m).getParent());
            Files.writeString(dir.resolve(m), m);
        }
        Files.writeString(dir.resolve("modules.dep"), String.join("\n",
                "kernel/fs/btrfs/btrfs.ko.zst:",
                "kernel/net/sunrpc/sunrpc.ko.zst:",
                "kernel/fs/nfs/nfs.ko.zst: kernel/net/sunrpc/sunrpc.ko.zst",
                "kernel/drivers/net/virtio_net.ko.zst:",
                "kernel/lib/needs_rpc.ko.zst: kernel/net/sunrpc/sunrpc.ko.zst", ""));
        int removed = new ModuleTree(null, BuildLog.silent()).trim(dir, ModuleTree.UNWANTED);
        assertEquals(4, removed);
        assertFalse(Files.exists(dir.resolve("kernel/fs/btrfs")), "empty folders go too");
        assertFalse(Files.exists(dir.resolve("kernel/fs/nfs/nfs.ko.zst")));
        assertFalse(Files.exists(dir.resolve("kernel/net/sunrpc/sunrpc.ko.zst")));
        assertFalse(Files.exists(dir.resolve("kernel/lib/needs_rpc.ko.zst")), "it could not load without sunrpc");
        assertTrue(Files.exists(dir.resolve("kernel/drivers/net/virtio_net.ko.zst")));
    }
}
