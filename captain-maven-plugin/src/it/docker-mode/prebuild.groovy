// A stand-in initramfs for the ISO (the ISO stage only packs it): a newc CPIO of one /init, zstd-compressed by
// the host's cpio and zstd, as captainos-initramfs would attach it.
def dir = new File(basedir, 'initramfs')
def init = new File(dir, 'tree/init')
init.parentFile.mkdirs()
init.text = '#!/bin/sh\necho docker-mode stand-in init\n'
init.setExecutable(true)
def p = new ProcessBuilder('sh', '-c', 'cd tree && echo init | cpio -o -H newc --quiet | zstd -q -19 -o ../init.cpio.zst -f')
        .directory(dir).redirectErrorStream(true).start()
String out = p.inputStream.text
assert p.waitFor() == 0 : "cpio | zstd failed: ${out}"
return true
