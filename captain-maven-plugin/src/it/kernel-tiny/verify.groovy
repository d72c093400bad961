import java.util.concurrent.TimeUnit

File log = new File(basedir, 'build.log')
String text = log.text
def repo = new File(localRepositoryPath, 'io/captainos/it/kernel-tiny/1.0')

def run(List<String> cmd) {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
    String out = p.inputStream.text
    assert p.waitFor() == 0 : "${cmd} failed: ${out}"
    return out
}

// 1: compiled from Debian's verified source, with our tiny fragment on tinyconfig
assert text.contains('kernel (x86_64): building 6.12.') : 'the first build compiles'
assert text =~ /kernel \(x86_64\): 6\.12\.\d+-captainos, vmlinuz/
// 2: nothing changed
assert text =~ /kernel \(x86_64\): up to date, inputs [0-9a-f]{12}; skipping \(kernel 6\.12\.\d+\)/
// 3: a changed config rebuilds, and says why
assert text.contains('(inputs changed (kernel.fragment))') : 'a changed fragment rebuilds'

File vmlinuz = new File(repo, 'kernel-tiny-1.0-x86_64.vmlinuz')
File modules = new File(repo, 'kernel-tiny-1.0-modules-x86_64.tar.zst')
File config = new File(repo, 'kernel-tiny-1.0-x86_64.config')
assert vmlinuz.isFile() && modules.isFile() && config.isFile()
String kind = run(['file', '-b', vmlinuz.path])
assert kind.contains('Linux kernel x86 boot executable') && kind.contains('-captainos') : kind
assert config.text.contains('CONFIG_LOCALVERSION="-captainos"')
// x86 boot protocol header: cmdline_size at 0x238 is COMMAND_LINE_SIZE - 1, raised from 2047 to 4095
byte[] head = vmlinuz.bytes
int cmdlineSize = java.nio.ByteBuffer.wrap(head, 0x238, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
assert cmdlineSize == 4095 : "COMMAND_LINE_SIZE was not raised: the kernel accepts ${cmdlineSize + 1} bytes"
assert config.text.contains('CONFIG_CRC8=m') : 'the resolved config of the last (changed) build'

def out = new File(basedir, 'out').listFiles().findAll { it.name ==~ /vmlinuz-6\.12\.\d+-x86_64/ }
assert out.size() == 1 : "out/ holds the versioned kernel: ${new File(basedir, 'out').list()}"
assert out[0].bytes == vmlinuz.bytes

String listing = run(['tar', '--zstd', '-tvf', modules.path])
assert listing =~ /usr\/lib\/modules\/6\.12\.\d+-captainos\/kernel\/lib\/crc7\.ko\.zst/ : listing
assert listing =~ /usr\/lib\/modules\/6\.12\.\d+-captainos\/kernel\/lib\/crc8\.ko\.zst/ : listing
assert listing =~ /modules\.dep/ : 'depmod ran'
assert !(listing =~ /\/(build|source)\b/) : 'no build/source links'
listing.readLines().each { assert it.contains('root/root') && it.contains('2026-01-01 00:00') : it }

// The kernel boots in QEMU to its first console lines.
File qemuLog = new File(basedir, 'qemu.log')
Process q = new ProcessBuilder('qemu-system-x86_64', '-kernel', vmlinuz.path, '-append', 'console=ttyS0 panic=-1',
        '-nographic', '-no-reboot', '-m', '256', '-monitor', 'none', '-serial', 'stdio')
        .redirectErrorStream(true).redirectOutput(qemuLog).start()
long deadline = System.currentTimeMillis() + 120_000
while (System.currentTimeMillis() < deadline && q.isAlive() && !(qemuLog.text =~ /Linux version 6\.12\.\d+-captainos/)) {
    Thread.sleep(500)
}
q.destroyForcibly()
q.waitFor(10, TimeUnit.SECONDS)
assert qemuLog.text =~ /Linux version 6\.12\.\d+-captainos \(captainos@captainos\)/ : "no kernel banner: ${qemuLog.text}"
return true
