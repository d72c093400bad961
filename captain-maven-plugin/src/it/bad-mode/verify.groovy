def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text
['Unknown mode \'turbo\'', 'captain.tools.mode (TOOLS_MODE)', 'use one of auto, native, docker, skip'].each {
    if (!log.contains(it)) fail("build.log does not say: ${it}")
}
if (log =~ /tools \((x86_64|aarch64)\)/) fail('the tools stage started despite the bad mode')
true
