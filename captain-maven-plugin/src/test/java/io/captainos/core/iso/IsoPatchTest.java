package io.captainos.core.iso;

import static io.captainos.testing.Prerequisite.require;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.exec.NativeRunner;
import io.captainos.core.pipeline.StagePipeline;
import io.captainos.core.pipeline.StageResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IsoPatchTest {
    private static final byte[] MAGIC = GrubConfig.placeholder().getBytes(StandardCharsets.US_ASCII);
    private static final int SIZE = 3 * IsoPatch.BUFFER + 4096;
    private static final String CMDLINE =
            "tink_worker_image=ghcr.io/tinkerbell/tink-agent:v0.20 grpc_authority=10.0.0.1:42113"
                    + " worker_id=52:54:00:12:34:56 tinkerbell_tls=false";

    @TempDir
    Path dir;

    /** Random bytes (never the magic string by chance) with the magic string at each offset. */
    private Path fakeIso(String name, long... offsets) throws IOException {
        byte[] image = new byte[SIZE];
        new Random(42).nextBytes(image);
        for (long o : offsets) {
            System.arraycopy(MAGIC, 0, image, (int) o, MAGIC.length);
        }
        return Files.write(dir.resolve(name), image);
    }

    /**
     * The first read ends at {@code BUFFER}; each next one starts 1023 bytes before the end of the one before. The
     * offsets put the string inside one read, across a boundary by 1 or 300 bytes, just before and after one, and
     * at both ends of the image.
     */
    static LongStream offsets() {
        long b = IsoPatch.BUFFER;
        return LongStream.of(0, 5000, b - 300, b - 1023, b - MAGIC.length, b, 2 * b - 1023 - 512, SIZE - MAGIC.length);
    }

    @ParameterizedTest
    @MethodSource("offsets")
    void theCopyDiffersOnlyInThePlaceholderWhichHoldsTheCommandLineThenSpaces(long offset) throws Exception {
        Path source = fakeIso("source.iso", offset);
        byte[] before = Files.readAllBytes(source);
        Path target = dir.resolve("out/target.iso");
        assertEquals(offset, IsoPatch.of(source).offset());

        IsoPatch.patch(source, target, CMDLINE);

        byte[] expected = before.clone();
        Arrays.fill(expected, (int) offset, (int) offset + MAGIC.length, (byte) ' ');
        byte[] line = CMDLINE.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(line, 0, expected, (int) offset, line.length);
        assertArrayEquals(expected, Files.readAllBytes(target));
        assertArrayEquals(before, Files.readAllBytes(source), "the source is only read");
        assertEquals(CMDLINE, IsoPatch.cmdline(target, offset));
        assertEquals(GrubConfig.placeholder(), IsoPatch.cmdline(source, offset));
        assertEquals(List.of("target.iso"), names(target.getParent()), "no temporary file is left");
    }

    @Test
    void aCommandLineOfExactly1024BytesFillsThePlaceholder() throws Exception {
        Path source = fakeIso("source.iso", 7777);
        Path target = dir.resolve("target.iso");
        String full = "a=" + "b".repeat(1022);
        IsoPatch.patch(source, target, full);
        byte[] patched = Files.readAllBytes(target);
        assertEquals(full, new String(patched, 7777, 1024, StandardCharsets.US_ASCII));
        assertEquals(patched[7777 + 1024], Files.readAllBytes(source)[7777 + 1024], "the byte after is untouched");
    }

    @Test
    void aCommandLineOf1025BytesIsRefusedAndNothingIsWritten() throws Exception {
        Path source = fakeIso("source.iso", 7777);
        Path target = dir.resolve("target.iso");
        CaptainException e =
                assertThrows(CaptainException.class, () -> IsoPatch.patch(source, target, "a=" + "b".repeat(1023)));
        assertTrue(e.getMessage().contains("1025 bytes") && e.getMessage().contains("at most 1024"), e.getMessage());
        assertEquals(List.of("source.iso"), names(dir));
    }

    @Test
    void lineBreaksControlAndNonAsciiCharactersAreRefusedByName() throws Exception {
        Path source = fakeIso("source.iso", 7777);
        Path target = dir.resolve("target.iso");
        String[][] cases = {
            {"a=1\nb=2", "a newline (U+000A) at character 4"},
            {"a=1\rb=2", "a carriage return (U+000D) at character 4"},
            {"\ta=1", "a tab (U+0009) at character 1"},
            {"a=\u0000", "the control character U+0000 at character 3"},
            {"a=\u007f", "the control character U+007F at character 3"},
            {"name=caf\u00e9", "the non-ASCII character '\u00e9' (U+00E9) at character 9"},
            {"\ud83d\ude80=1 x", "the non-ASCII character '\ud83d\ude80' (U+1F680) at character 1"}
        };
        for (String[] c : cases) {
            CaptainException e = assertThrows(CaptainException.class, () -> IsoPatch.patch(source, target, c[0]));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        assertFalse(Files.exists(target));
    }

    @Test
    void anImageWithoutTheMagicStringIsNotAnIsoToPatch() throws Exception {
        Path source = fakeIso("old.iso");
        Path target = dir.resolve("target.iso");
        CaptainException e = assertThrows(CaptainException.class, () -> IsoPatch.patch(source, target, CMDLINE));
        assertTrue(e.getMessage().contains("has no smee placeholder"), e.getMessage());
        assertTrue(e.getMessage().contains("older CaptainOS"), e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void anImageWithTwoMagicStringsIsAmbiguous() throws Exception {
        long b = IsoPatch.BUFFER;
        Path source = fakeIso("two.iso", 100, b - 10);
        CaptainException e =
                assertThrows(CaptainException.class, () -> IsoPatch.patch(source, dir.resolve("target.iso"), CMDLINE));
        assertTrue(e.getMessage().contains("2 times (at bytes [100, " + (b - 10) + "])"), e.getMessage());
        assertEquals(List.of("two.iso"), names(dir));
    }

    @Test
    void theSourceIsNeverTheTarget() throws Exception {
        Path source = fakeIso("source.iso", 7777);
        byte[] before = Files.readAllBytes(source);
        Path link = Files.createSymbolicLink(dir.resolve("link.iso"), source);
        for (Path target : List.of(source, dir.resolve("sub/../source.iso"), link)) {
            CaptainException e = assertThrows(CaptainException.class, () -> IsoPatch.patch(source, target, CMDLINE));
            assertTrue(e.getMessage().contains("is the source ISO"), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(source));
    }

    @Test
    void theDefaultTargetIsBesideTheSourceWithPatchedInItsName() {
        assertEquals(
                Path.of("out/captainos-6.12.57-x86_64-patched.iso"),
                IsoPatch.defaultTarget(Path.of("out/captainos-6.12.57-x86_64.iso")));
        assertEquals(Path.of("image-patched"), IsoPatch.defaultTarget(Path.of("image")));
    }

    @Test
    void theIsoStageRefusesAnImageWithoutExactlyOneMagicString() throws Exception {
        Path vmlinuz = Files.writeString(dir.resolve("vmlinuz"), "kernel");
        Path initramfs = Files.writeString(dir.resolve("initramfs"), "initramfs");
        String[][] cases = {
            {"no placeholder here", "does not carry smee's magic string"},
            {GrubConfig.placeholder() + GrubConfig.placeholder(), "2 times (at bytes [0, 1024])"}
        };
        for (String[] c : cases) {
            Path work = dir.resolve("work");
            CommandRunner writesImage = new CommandRunner() {
                @Override
                public void run(Command command) {
                    String output = command.args().stream()
                            .filter(a -> a.startsWith("--output="))
                            .findFirst()
                            .orElseThrow()
                            .substring("--output=".length());
                    try {
                        Files.writeString(Path.of(output), c[0]);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }

                @Override
                public String capture(Command command) {
                    throw new AssertionError("not used");
                }

                @Override
                public String describe() {
                    return "fake grub-mkrescue";
                }
            };
            IsoStage stage = new IsoStage(work, 1_700_000_000L, "test", writesImage, BuildLog.silent());
            CaptainException e = assertThrows(
                    CaptainException.class,
                    () -> new StagePipeline(dir.resolve("out"), BuildLog.silent())
                            .run(
                                    stage.forArch(
                                            Arch.AMD64,
                                            "6.12.57",
                                            vmlinuz,
                                            initramfs,
                                            List.of(dir.resolve("x86_64-efi"))),
                                    true));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(
                    Files.exists(IsoStage.outputs(work, Arch.AMD64).path(IsoStage.ISO)),
                    "no ISO under the finished name");
            assertFalse(Files.exists(dir.resolve("out")), "nothing published");
        }
    }

    /** A real grub-mkrescue image: the extracted grub.cfg's kernel line holds the command line, then spaces. */
    @Test
    void aRealIsoCarriesThePatchedKernelLine() throws Exception {
        for (String tool : List.of("grub-mkrescue", "xorriso", "mformat", "mcopy", "faketime")) {
            require(
                    onPath(tool),
                    tool + " is not installed (grub-common, xorriso, mtools, faketime): no real ISO" + " to patch");
        }
        Path efi = Path.of("/usr/lib/grub/x86_64-efi");
        require(
                Files.isRegularFile(efi.resolve("modinfo.sh")),
                "GRUB's x86_64-efi modules are not installed (grub-efi-amd64-bin): no real ISO to patch");
        Path vmlinuz = Files.writeString(dir.resolve("vmlinuz"), "not a kernel");
        Path initramfs = Files.writeString(dir.resolve("initramfs"), "not an initramfs");
        StagePipeline pipeline = new StagePipeline(dir.resolve("out"), BuildLog.silent());
        StageResult built = pipeline.run(
                new IsoStage(
                                dir.resolve("work"),
                                1_700_000_000L,
                                "test",
                                new NativeRunner(BuildLog.silent()),
                                BuildLog.silent())
                        .forArch(Arch.AMD64, "6.12.57", vmlinuz, initramfs, List.of(efi)),
                true);
        Path iso = pipeline.published(built, IsoStage.ISO);
        assertEquals(dir.resolve("out").resolve("captainos-6.12.57-x86_64.iso"), iso);
        Path patched = dir.resolve("patched.iso");

        IsoPatch.patch(iso, patched, CMDLINE);

        Path cfg = dir.resolve("grub.cfg");
        Process p = new ProcessBuilder(
                        "xorriso",
                        "-osirrox",
                        "on",
                        "-indev",
                        patched.toString(),
                        "-extract",
                        "/boot/grub/grub.cfg",
                        cfg.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String linux = Files.readAllLines(cfg).stream()
                .filter(l -> l.trim().startsWith("linux "))
                .findFirst()
                .orElseThrow();
        String head = "    linux /boot/vmlinuz console=tty0 console=ttyS0,115200 audit=0 ";
        assertEquals(head + CMDLINE + " ".repeat(GrubConfig.PLACEHOLDER_LENGTH - CMDLINE.length()), linux);
        assertEquals(Files.size(iso), Files.size(patched));
        assertEquals(List.of(), IsoPatch.placeholderOffsets(patched));
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
