def fail = { String m -> throw new AssertionError(m) }
File f = new File(basedir, 'target/deps/tools-debian-1.0-x86_64.tar.zst')
if (!f.isFile()) fail("not copied: ${f}")
byte[] head = new byte[4]
f.withInputStream { it.read(head) }
if (head.encodeHex().toString() != '28b52ffd') fail("${f} is not zstd: starts with ${head.encodeHex()}")
if (new File(basedir, 'build.log').text =~ /--- captain:/) fail('a captain goal ran in the consumer')
true
