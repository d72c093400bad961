package io.captainos.core.debian;

import com.github.luben.zstd.ZstdInputStream;
import io.captainos.core.CaptainException;
import io.captainos.core.archive.TarExtractor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/** Unpacks the data of a .deb (an ar archive holding data.tar.xz, .zst or .gz) into a folder. */
public final class DebExtractor {
    private DebExtractor() {}

    /** Extracts the package's files under {@code target}; paths that would leave it are refused. */
    public static void extract(Path deb, Path target) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(deb));
                ArArchiveInputStream ar = new ArArchiveInputStream(raw)) {
            ArArchiveEntry e;
            while ((e = ar.getNextEntry()) != null) {
                String name = e.getName();
                if (name.startsWith("data.tar")) {
                    TarExtractor.extract(decompress(ar, name, deb), target, deb.toString());
                    return;
                }
            }
            throw new CaptainException(deb + " has no data.tar member: not a Debian package");
        } catch (IOException e) {
            throw new CaptainException("Cannot unpack " + deb + ": " + e.getMessage(), e);
        }
    }

    private static InputStream decompress(InputStream in, String member, Path deb) throws IOException {
        if (member.endsWith(".xz")) {
            return new XZInputStream(in);
        }
        if (member.endsWith(".zst")) {
            return new ZstdInputStream(in);
        }
        if (member.endsWith(".gz")) {
            return new GZIPInputStream(in);
        }
        if (member.equals("data.tar")) {
            return in;
        }
        throw new CaptainException(deb + ": unsupported data member " + member);
    }
}
