def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text
['Unknown architecture \'sparc\'', 'use one of amd64, arm64', '-Dcaptain.arch=amd64,arm64'].each {
    if (!log.contains(it)) fail("build.log does not say: ${it}")
}
if (log =~ /tools \((x86_64|aarch64)\)/) fail('the tools stage started despite the bad architecture')
true
