def fail = { String m -> throw new AssertionError(m) }
def cmdline = 'tink_worker_image=ghcr.io/tinkerbell/tink-agent:latest grpc_authority=10.0.0.1:42113'
byte[] source = new File(basedir, 'out/captainos-1-x86_64.iso').bytes
def patchedFile = new File(basedir, 'out/captainos-1-x86_64-patched.iso')
if (!patchedFile.isFile()) fail('no out/captainos-1-x86_64-patched.iso')
byte[] expected = source.clone()
java.util.Arrays.fill(expected, 3000, 3000 + 1024, (byte) 0x20)
byte[] line = cmdline.getBytes('US-ASCII')
System.arraycopy(line, 0, expected, 3000, line.length)
if (!java.util.Arrays.equals(expected, patchedFile.bytes)) fail('the patched copy is not the source with the placeholder replaced')
def left = new File(basedir, 'out').list().sort()
if (left != ['captainos-1-x86_64-patched.iso', 'captainos-1-x86_64.iso']) fail("out/ holds ${left}")
def log = new File(basedir, 'build.log').text
if (!log.contains('the placeholder at byte 3000 now holds: ' + cmdline)) fail('build.log does not give the offset and the command line')
true
