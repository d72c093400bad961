def fail = { String m -> throw new AssertionError(m) }
def gone = ['build/tools/x86_64', 'build/kernel/x86_64', 'out/vmlinuz-1-x86_64', 'out/captainos-1-x86_64.iso']
def kept = ['build/tools/aarch64/y', 'out/vmlinuz-1-aarch64', 'out/captainos-1-aarch64.iso', 'out/README']
gone.each { if (new File(basedir, it).exists()) fail("${it} survived the amd64 clean") }
kept.each { if (!new File(basedir, it).isFile()) fail("${it} was removed by the amd64 clean") }
def log = new File(basedir, 'build.log').text
gone.each { p -> if (!log.contains('Removed ' + new File(basedir, p).path)) fail("build.log does not say it removed ${p}") }
true
