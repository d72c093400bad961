// Every file of both arches deployed exactly once per run, the three images published once and then left alone,
// and a deploy without a registry that works and says it skipped OCI.
import groovy.json.JsonSlurper
import java.security.MessageDigest

def fail = { String m -> throw new AssertionError(m) }
def port = new File(basedir, 'target/registry/port').text.trim()
try {
    def runs = new File(basedir, 'build.log').text.split(/(?m)^\[INFO\] Scanning for projects\.\.\.$/).drop(1)
    if (runs.size() != 3) fail("expected 3 Maven runs in build.log, found ${runs.size()}")
    runs.each { if (!it.contains('BUILD SUCCESS')) fail('a deploy failed') }

    def repo = new File(basedir, 'target/repo/io/captainos/it')
    def expected = []
    ['x86_64', 'aarch64'].each { a ->
        expected += ["captainos-kernel/1.0/captainos-kernel-1.0-${a}.vmlinuz",
                     "captainos-kernel/1.0/captainos-kernel-1.0-modules-${a}.tar.zst",
                     "captainos-kernel/1.0/captainos-kernel-1.0-${a}.config",
                     "captainos-tools/1.0/captainos-tools-1.0-${a}.tar.zst",
                     "captainos-initramfs/1.0/captainos-initramfs-1.0-${a}.cpio.zst",
                     "captainos-iso/1.0/captainos-iso-1.0-${a}.iso",
                     "captainos-iso/1.0/captainos-iso-1.0-sha256sums-${a}.txt"]
    }
    expected += ['captainos-release/1.0/captainos-release-1.0-oci.tar']
    expected.each { String path ->
        File f = new File(repo, path)
        if (!f.isFile() || f.length() == 0) fail("not deployed: ${f}")
        String name = f.name
        runs.eachWithIndex { r, i ->
            int n = (r =~ /(?m)^\[INFO\] Uploading to it-release: \S+\/${java.util.regex.Pattern.quote(name)}\b/).size()
            if (n != 1) fail("run ${i + 1} uploaded ${name} ${n} times")
        }
    }
    def installed = new File(localRepositoryPath, 'io/captainos/it/captainos-iso/1.0')
    if (installed.isDirectory() && installed.list().any { it.endsWith('.iso') }) {
        fail('the ISO reached the local repository: the consumer IT would not prove the deployed repository')
    }

    // The registry: three tags, indexes with both platforms, the same digests as the deployed layout.
    def slurper = new JsonSlurper()
    def get = { String path, String accept ->
        def c = new URL("http://127.0.0.1:${port}${path}").openConnection()
        if (accept) c.setRequestProperty('Accept', accept)
        c.inputStream.bytes
    }
    def tags = slurper.parse(get('/v2/it/captainos/tags/list', null)).tags.sort()
    if (tags.size() != 3) fail("expected 3 tags, the registry has ${tags}")
    def base = tags.find { !it.endsWith('-amd64') && !it.endsWith('-arm64') }
    if (!(base ==~ /v\d+\.\d+\.\d+.*-[0-9a-f]{7}/)) fail("the combined tag ${base} is not vX.Y.Z-<sha7>")
    if (tags != [base, "${base}-amd64", "${base}-arm64"].sort()) fail("unexpected tags ${tags}")
    def layers = [:]
    tags.each { t ->
        def index = slurper.parse(get("/v2/it/captainos/manifests/${t}", 'application/vnd.oci.image.index.v1+json'))
        def platforms = index.manifests.collect { "${it.platform.os}/${it.platform.architecture}" }
        if (platforms != ['linux/amd64', 'linux/arm64']) fail("${t}: platforms ${platforms}")
        def m = slurper.parse(get("/v2/it/captainos/manifests/${index.manifests[0].digest}",
                'application/vnd.oci.image.manifest.v1+json'))
        layers[t] = m.layers.collect { it.digest }
    }
    if (layers[base] != layers["${base}-amd64"] + layers["${base}-arm64"]) {
        fail("the combined image's layers are not the per-arch ones: ${layers}")
    }
    def titles = slurper.parse(get("/v2/it/captainos/manifests/${slurper.parse(get("/v2/it/captainos/manifests/${base}-arm64", 'application/vnd.oci.image.index.v1+json')).manifests[0].digest}",
            'application/vnd.oci.image.manifest.v1+json')).layers.collect { it.annotations['org.opencontainers.image.title'] }
    if (!(titles.join(' ') ==~ /vmlinuz-\S+-aarch64 initramfs-\S+-aarch64 captainos-\S+-aarch64\.iso sha256sums-\S+-aarch64\.txt/)) {
        fail("the arm64 image's files are ${titles}")
    }
    // The layers are the deployed files: the arm64 ISO's layer holds the ISO deployed to the repository.
    def isoLayer = layers["${base}-arm64"][2]
    def tar = get("/v2/it/captainos/blobs/${isoLayer}", null)
    def iso = new File(repo, 'captainos-iso/1.0/captainos-iso-1.0-aarch64.iso').bytes
    def sha = { byte[] b -> MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString() }
    if (tar.length < iso.length + 512 || sha(Arrays.copyOfRange(tar, 512, 512 + iso.length)) != sha(iso)) {
        fail('the arm64 ISO layer does not hold the deployed ISO')
    }

    if (!(runs[0] =~ /published 127\.0\.0\.1:${port}\/it\/captainos:${base} \(sha256:/)) fail('run 1 did not publish')
    if ((runs[1] =~ /exists; skipping it/).size() != 3) fail('run 2 did not leave the three existing tags alone')
    if (runs[1].contains('published 127.0.0.1')) fail('run 2 published again')
    if (!runs[2].contains('OCI publishing skipped: no registry set')) fail('run 3 did not say it skipped OCI')
} finally {
    def pid = new File(basedir, 'target/registry/pid')
    if (pid.isFile()) ProcessHandle.of(Long.parseLong(pid.text.trim())).ifPresent { it.destroy() }
}
true
