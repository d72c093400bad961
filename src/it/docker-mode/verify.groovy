def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text
['The tools stage cannot run in docker mode yet', '-Dcaptain.tools.mode=native', 'TOOLS_MODE=native'].each {
    if (!log.contains(it)) fail("build.log does not say: ${it}")
}
if (log =~ /tools \((x86_64|aarch64)\)/) fail('the tools stage started in docker mode')
true
