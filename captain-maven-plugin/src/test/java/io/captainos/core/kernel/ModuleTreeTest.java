package io.captainos.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleTreeTest {
    @Test
    void trimRemovesUnwantedModulesAndTheModulesThatNeedThem(@TempDir Path dir) throws IOException {
        for (String m : List.of(
                "kernel/fs/btrfs/btrfs.ko.zst",
                "kernel/net/sunrpc/sunrpc.ko.zst",
                "kernel/fs/nfs/nfs.ko.zst",
                "kernel/drivers/net/virtio_net.ko.zst",
                "kernel/lib/needs_rpc.ko.zst")) {
            Files.createDirectories(dir.resolve(m).getParent());
            Files.writeString(dir.resolve(m), m);
        }
        Files.writeString(
                dir.resolve("modules.dep"),
                String.join(
                        "\n",
                        "kernel/fs/btrfs/btrfs.ko.zst:",
                        "kernel/net/sunrpc/sunrpc.ko.zst:",
                        "kernel/fs/nfs/nfs.ko.zst: kernel/net/sunrpc/sunrpc.ko.zst",
                        "kernel/drivers/net/virtio_net.ko.zst:",
                        "kernel/lib/needs_rpc.ko.zst: kernel/net/sunrpc/sunrpc.ko.zst",
                        ""));
        int removed = new ModuleTree(null, BuildLog.silent()).trim(dir, ModuleTree.UNWANTED);
        assertEquals(4, removed);
        assertFalse(Files.exists(dir.resolve("kernel/fs/btrfs")), "empty folders go too");
        assertFalse(Files.exists(dir.resolve("kernel/fs/nfs/nfs.ko.zst")));
        assertFalse(Files.exists(dir.resolve("kernel/net/sunrpc/sunrpc.ko.zst")));
        assertFalse(Files.exists(dir.resolve("kernel/lib/needs_rpc.ko.zst")), "it could not load without sunrpc");
        assertTrue(Files.exists(dir.resolve("kernel/drivers/net/virtio_net.ko.zst")));
    }

    @Test
    void theTrimListSparesTheDriversOperatorsAskedFor() {
        for (String m : List.of(
                "kernel/drivers/net/ethernet/emulex/benet/be2net.ko",
                "kernel/drivers/misc/hpilo.ko",
                "kernel/drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko",
                "kernel/drivers/net/ethernet/intel/ixgbe/ixgbe.ko",
                "kernel/drivers/hwmon/hwmon.ko",
                "kernel/drivers/net/virtio_net.ko",
                "kernel/fs/overlayfs/overlay.ko")) {
            assertTrue(ModuleTree.UNWANTED.stream().noneMatch(m::startsWith), m + " would be trimmed");
        }
    }

    @Test
    void requiredModulesCountWhetherLoadableOrBuiltInAndPerArch(@TempDir Path dir) throws IOException {
        List<String> all =
                ModuleTree.REQUIRED.stream().filter(l -> !l.contains(":")).toList();
        StringBuilder dep = new StringBuilder();
        StringBuilder builtin = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            String name = all.get(i);
            if (name.equals("be2net")) {
                continue;
            }
            (i % 2 == 0 ? dep : builtin)
                    .append("kernel/drivers/x/")
                    .append(name.replace('_', '-'))
                    .append(i % 2 == 0 ? ".ko.xz: kernel/lib/y.ko.xz\n" : ".ko\n");
        }
        Files.writeString(dir.resolve("modules.dep"), dep.toString());
        Files.writeString(dir.resolve("modules.builtin"), builtin.toString());
        assertEquals(List.of("be2net"), ModuleTree.missing(dir, Arch.ARM64), "hpilo is an amd64 driver");
        assertEquals(List.of("be2net", "hpilo"), ModuleTree.missing(dir, Arch.AMD64));
        Files.writeString(
                dir.resolve("modules.dep"),
                "kernel/drivers/net/ethernet/emulex/benet/be2net.ko.xz:\n" + "kernel/drivers/misc/hpilo.ko.xz:\n" + dep,
                StandardOpenOption.TRUNCATE_EXISTING);
        assertEquals(List.of(), ModuleTree.missing(dir, Arch.AMD64));
    }
}
