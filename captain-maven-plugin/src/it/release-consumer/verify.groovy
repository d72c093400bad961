// vmlinuz and the initramfs of both arches, fetched by coordinates from the deployed repository, are the files
// their arch's sha256sums names.
import java.security.MessageDigest

def fail = { String m -> throw new AssertionError(m) }
def dir = new File(basedir, 'target/release')
def sha = { File f ->
    def md = MessageDigest.getInstance('SHA-256')
    f.withInputStream { input ->
        byte[] buf = new byte[1 << 16]
        int n
        while ((n = input.read(buf)) > 0) md.update(buf, 0, n)
    }
    md.digest().encodeHex().toString()
}
['x86_64', 'aarch64'].each { a ->
    File sums = new File(dir, "captainos-iso-1.0-sha256sums-${a}.txt")
    if (!sums.isFile()) fail("not fetched: ${sums}")
    Map<String, String> byName = [:]
    sums.eachLine { line ->
        def m = line =~ /^([0-9a-f]{64})  (\S+)$/
        if (!m.matches()) fail("${sums.name}: not a sha256sum line: '${line}'")
        byName[m.group(2)] = m.group(1)
    }
    [['vmlinuz', "captainos-kernel-1.0-${a}.vmlinuz"], ['initramfs', "captainos-initramfs-1.0-${a}.cpio.zst"]].each { kind, file ->
        File f = new File(dir, file)
        if (!f.isFile()) fail("not fetched: ${f}")
        def entry = byName.find { it.key ==~ /${kind}-\S+-${a}/ }
        if (entry == null) fail("${sums.name} names no ${kind} for ${a}: ${byName.keySet()}")
        if (sha(f) != entry.value) fail("${file} does not match ${entry.key} in ${sums.name}")
    }
}
def remote = new File(localRepositoryPath, 'io/captainos/it/captainos-kernel/1.0/_remote.repositories')
if (!remote.isFile() || !(remote.text =~ /x86_64\.vmlinuz>it-release=/)) {
    fail("vmlinuz did not come from the deployed repository: ${remote.isFile() ? remote.text : 'no ' + remote}")
}
if (new File(basedir, 'build.log').text =~ /--- captain:/) fail('a captain goal ran in the consumer')
true
