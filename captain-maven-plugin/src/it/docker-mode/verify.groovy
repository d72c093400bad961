import java.nio.file.Files
import java.nio.file.LinkOption

String text = new File(basedir, 'build.log').text
def repo = new File(localRepositoryPath, 'io/captainos/it')

def run(List<String> cmd) {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
    String out = p.inputStream.text
    assert p.waitFor() == 0 : "${cmd} failed: ${out}"
    return out
}

// The stages ran in the builder container, whose image the first build made or found.
assert text.contains('kernel stage: docker (docker requested)')
assert text.contains('tools stage: docker (docker requested)')
assert text =~ /builder: (captainos-builder:[0-9a-f]{16} is in the engine|captainos-builder:[0-9a-f]{16} built in)/
// 1: the compile's own output came through the container, under the stage's name
assert text.contains('kernel (x86_64): building 6.12.') : 'the first build compiles'
assert text =~ /\[kernel\] +(CC|LD|AR) / : 'make printed through the container'
assert text =~ /kernel \(x86_64\): 6\.12\.\d+-captainos, vmlinuz/
// It was the builder's compiler (Debian trixie's gcc 14), not this host's.
File config = new File(repo, 'docker-mode-kernel/1.0/docker-mode-kernel-1.0-x86_64.config')
assert config.text =~ /CONFIG_CC_VERSION_TEXT="gcc \(Debian 14\./ : 'compiled by the builder image\'s gcc'
assert new File(repo, 'docker-mode-tools/1.0/docker-mode-tools-1.0-x86_64.tar.zst').isFile()
// grub-mkrescue ran in the container; the ISO holds this kernel byte for byte
assert text.contains('iso stage: docker (docker requested)')
assert text =~ /\[iso\] xorriso : /
File iso = new File(repo, 'docker-mode-iso/1.0/docker-mode-iso-1.0-x86_64.iso')
assert iso.isFile()
File extracted = new File(basedir, 'target/vmlinuz-from-iso')
extracted.parentFile.mkdirs()
run(['xorriso', '-osirrox', 'on', '-indev', iso.path, '-extract', '/boot/vmlinuz', extracted.path])
assert extracted.bytes == new File(repo, 'docker-mode-kernel/1.0/docker-mode-kernel-1.0-x86_64.vmlinuz').bytes
// 2: nothing changed, nothing was built again, and neither was the builder image
assert text =~ /kernel \(x86_64\): up to date, inputs [0-9a-f]{12}; skipping \(kernel 6\.12\.\d+\)/
assert text =~ /tools \(x86_64\): up to date/
assert text =~ /iso \(x86_64\): up to date/
String second = text.substring(text.lastIndexOf('kernel stage: docker'))
assert !second.contains('builder: building') : 'the no-op build rebuilt the builder image'

// 3 and 4: captain:shell, as this user, with the tree mounted at its own path
String uid = run(['id', '-u']).trim(), gid = run(['id', '-g']).trim()
assert text.contains('captain:shell: the command exited with 7') : 'a failing command fails the build with its code'
assert text =~ /\[shell\] gcc \(Debian 14\./
assert text.contains("as ${uid}:${gid}, ${basedir.canonicalPath})")

// Every file the container wrote under build/ and out/ is this user's.
['build', 'out'].each { dir ->
    new File(basedir, dir).eachFileRecurse { f ->
        def path = f.toPath()
        int owner = (int) Files.getAttribute(path, 'unix:uid', LinkOption.NOFOLLOW_LINKS)
        assert owner == uid as int : "${f} belongs to uid ${owner}, not ${uid}"
    }
}
assert new File(basedir, 'build/from-shell').isFile()
return true
