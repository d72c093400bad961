String text = new File(basedir, 'build.log').text
def repo = new File(localRepositoryPath, 'io/captainos/it/kernel-debian-image/1.0')

def run(List<String> cmd) {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
    String out = p.inputStream.text
    assert p.waitFor() == 0 : "${cmd} failed: ${out}"
    return out
}

assert text =~ /kernel \(x86_64\): taking Debian's prebuilt linux-image-6\.12\.\d+\+deb13-amd64/
assert text =~ /modules: removed \d+ of \d+/

File vmlinuz = new File(repo, 'kernel-debian-image-1.0-x86_64.vmlinuz')
File modules = new File(repo, 'kernel-debian-image-1.0-modules-x86_64.tar.zst')
File config = new File(repo, 'kernel-debian-image-1.0-x86_64.config')
assert vmlinuz.isFile() && modules.isFile() && config.isFile()
assert run(['file', '-b', vmlinuz.path]).contains('Linux kernel x86 boot executable')
assert config.text.contains('CONFIG_OVERLAY_FS=m')

def out = new File(basedir, 'out').listFiles().findAll { it.name ==~ /vmlinuz-6\.12\.\d+-x86_64/ }
assert out.size() == 1 && out[0].bytes == vmlinuz.bytes

String listing = run(['tar', '--zstd', '-tf', modules.path])
def rel = (listing =~ /usr\/lib\/modules\/([^\/]+)\/modules\.dep\n/)
assert rel.find() : 'depmod ran on the trimmed tree'
String base = "usr/lib/modules/${rel.group(1)}/kernel/"
// kept: what provisioning needs
['fs/overlayfs/overlay.ko', 'drivers/net/virtio_net.ko', 'drivers/nvme/host/nvme.ko', 'net/bridge/bridge.ko',
 'drivers/net/ethernet/intel/igb/igb.ko', 'drivers/md/dm-crypt.ko'].each {
    assert listing.contains(base + it) : "kept ${it}"
}
// removed: the modules of modules-unwanted.txt and the hardware nobody provisions with
['fs/btrfs/', 'fs/nfs/', 'fs/ceph/', 'fs/ntfs3/', 'drivers/block/drbd/', 'arch/x86/kvm/', 'sound/', 'drivers/media/',
 'net/wireless/', 'drivers/net/wireless/', 'net/bluetooth/', 'drivers/net/ethernet/netronome/'].each {
    assert !listing.contains(base + it) : "removed ${it}"
}
return true
