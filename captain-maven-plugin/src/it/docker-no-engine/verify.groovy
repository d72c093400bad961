def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text
['tools stage: docker (docker requested)',
 'No Docker engine at unix:///nonexistent/captainos/docker.sock (command line -Dcaptain.docker.host)',
 'the socket /nonexistent/captainos/docker.sock does not exist',
 'DOCKER_HOST', 'dockerd', '-Dcaptain.<stage>.mode=native'].each {
    if (!log.contains(it)) fail("build.log does not say: ${it}")
}
if (log =~ /tools \((x86_64|aarch64)\)/) fail('the tools stage started without an engine')
if (new File(basedir, 'build/tools').exists() && new File(basedir, 'build/tools').list().any { it != '.lock' }) {
    fail('the tools stage wrote into build/tools without an engine')
}
true
