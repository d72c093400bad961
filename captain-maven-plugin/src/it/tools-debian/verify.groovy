// The tools bundle of both arches, built from Debian (containerd compiled from its source package, runc and the CNI
// plugins from binary packages), installed by coordinates; every binary is an ELF executable of its arch and the
// manifest records its digest and where it came from.
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text

def repo = new File(localRepositoryPath, 'io/captainos/it/tools-debian/1.0')
def bundles = [x86_64: 'ELF 64-bit LSB .*x86-64', aarch64: 'ELF 64-bit LSB .*ARM aarch64']

def run = { List<String> cmd, File dir ->
    def p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start()
    def out = p.inputStream.text
    if (p.waitFor() != 0) fail("${cmd.join(' ')} failed: ${out}")
    out
}
def sha256 = { File f ->
    MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString()
}

def binaries = ['usr/local/bin/containerd', 'usr/local/bin/containerd-shim-runc-v2', 'usr/local/bin/ctr',
                'usr/local/bin/runc'] + ['bridge', 'host-local', 'loopback', 'portmap', 'firewall', 'tuning'].collect { "opt/cni/bin/${it}".toString() }

def digests = [:]
bundles.each { linux, elf ->
    File tar = new File(repo, "tools-debian-1.0-${linux}.tar.zst")
    if (!tar.isFile()) fail("not installed: ${tar}")
    digests[linux] = sha256(tar)

    File dir = new File(basedir, "target/unpacked-${linux}")
    dir.deleteDir()
    dir.mkdirs()
    run(['tar', '--zstd', '-xf', tar.absolutePath], dir)

    File manifest = new File(dir, 'usr/share/captainos/tools.manifest')
    if (!manifest.isFile()) fail("${linux}: no ${manifest}")
    def rows = manifest.readLines().drop(1).findAll { it }.collectEntries { line ->
        def cols = line.split('\t')
        if (cols.length != 5) fail("${linux}: bad manifest row '${line}'")
        [(cols[0]): cols[4]]
    }

    binaries.each { String b ->
        File f = new File(dir, b)
        if (!f.isFile()) fail("${linux}: ${b} missing from the bundle")
        if (!Files.isExecutable(f.toPath())) fail("${linux}: ${b} is not executable")
        String type = run(['file', '-bL', f.absolutePath], dir).trim()
        if (!(type =~ elf)) fail("${linux}: ${b} is not ${elf}: ${type}")
        String recorded = rows[b]
        if (recorded == null) fail("${linux}: ${b} not in the manifest")
        if (!(recorded ==~ /[0-9a-f]{64}/)) fail("${linux}: ${b} has no sha256 in the manifest: '${recorded}'")
        if (recorded != sha256(f)) fail("${linux}: ${b} sha256 ${sha256(f)} differs from the manifest's ${recorded}")
    }
    // containerd, ctr and the shim are compiled from Debian's source without the CRI plugin (the default source);
    // runc and the CNI plugins are Debian's binary packages
    def sources = manifest.readLines().drop(1).findAll { it }.collectEntries { line ->
        def cols = line.split('\t')
        [(cols[0]): cols[3]]
    }
    ['usr/local/bin/containerd', 'usr/local/bin/containerd-shim-runc-v2', 'usr/local/bin/ctr'].each { String b ->
        if (!(sources[b] ==~ /debian-source:trixie\/containerd_\S+ tags=no_cri,\S+( \+containerd\/main\.go@[0-9a-f]{12})?/)) {
            fail("${linux}: ${b} is not recorded as compiled from Debian's source without CRI: '${sources[b]}'")
        }
    }
    if (!(sources['usr/local/bin/runc'] ==~ /debian:trixie\/runc_\S+\.deb/)) {
        fail("${linux}: runc is not recorded as Debian's package: '${sources['usr/local/bin/runc']}'")
    }
    // Go keeps each function's package path in the binary: Debian's packaged containerd names the CRI packages
    // thousands of times, a build without them never
    String text = new String(new File(dir, 'usr/local/bin/containerd').bytes, 'ISO-8859-1')
    for (String pkg : ['github.com/containerd/containerd/pkg/cri/', 'k8s.io/apimachinery/']) {
        if (text.contains(pkg)) fail("${linux}: containerd still holds ${pkg}: the CRI plugin was compiled in")
    }
    if (!text.contains('github.com/containerd/containerd/snapshots/overlay')) {
        fail("${linux}: containerd holds no overlay snapshotter")
    }
    // containerd is this build's main around containerd's and ctr's, which also answers as the setup's client under
    // the name agent-image: ctr and agent-image are links to it; run as the setup runs it (qemu-user for the other
    // arch), agent-image refuses a flag it lacks as Go's flag package does
    ['usr/local/bin/ctr': 'containerd', 'usr/libexec/captainos/agent-image': '../../local/bin/containerd'].each { l, to ->
        Path lp = new File(dir, l).toPath()
        if (!Files.isSymbolicLink(lp) || Files.readSymbolicLink(lp).toString() != to) {
            fail("${linux}: ${l} is not a link to ${to}")
        }
        if (rows[l] != rows['usr/local/bin/containerd']) fail("${linux}: the manifest's ${l} is not containerd: ${rows[l]}")
    }
    if (!(sources['usr/local/bin/containerd'] ==~ /.* \+containerd\/main\.go@[0-9a-f]{12}/)) {
        fail("${linux}: containerd is not recorded as built from this build's main: '${sources['usr/local/bin/containerd']}'")
    }
    Path link = new File(dir, 'usr/libexec/captainos/agent-image').toPath()
    List<String> emu = linux == 'x86_64' ? [] : ['qemu-aarch64-static']
    def p = new ProcessBuilder(emu + [link.toString(), '-no-such-flag']).redirectErrorStream(true).start()
    String said = p.inputStream.text
    if (p.waitFor() != 2 || !said.contains('flag provided but not defined: -no-such-flag')
            || !said.contains('usage: agent-image')) {
        fail("${linux}: agent-image did not refuse an unknown flag as the setup expects: ${said}")
    }
    // each name runs its own program
    String version = run(emu + [new File(dir, 'usr/local/bin/ctr').absolutePath, '--version'], dir)
    if (!version.startsWith('ctr github.com/containerd/containerd ')) fail("${linux}: ctr --version said ${version}")
    version = run(emu + [new File(dir, 'usr/local/bin/containerd').absolutePath, '--version'], dir)
    if (!version.startsWith('containerd github.com/containerd/containerd ')) {
        fail("${linux}: containerd --version said ${version}")
    }
    def all = binaries + ['usr/libexec/captainos/agent-image']
    if (!rows.keySet().containsAll(all) || rows.size() != all.size()) {
        fail("${linux}: manifest lists ${rows.keySet()}, expected ${all}")
    }
    if (!log.contains("tools (${linux}): ")) fail("build.log says nothing about ${linux}")
}
if (digests.x86_64 == digests.aarch64) fail('the x86_64 and aarch64 bundles are identical')

def mode = log =~ /tools stage: native \(([^)\n]+)/
if (!mode.find() || mode.group(1).trim().isEmpty()) fail('build.log does not say the tools stage ran native, and why')
true
