// Starts a real registry (Debian's docker-registry) on a free loopback port and points the build at it and at a
// file repository through .mvn/maven.config; verify.groovy stops the registry.
def target = new File(basedir, 'target')
def storage = new File(target, 'registry/storage')
storage.mkdirs()
int port = new ServerSocket(0).withCloseable { it.localPort }
def config = new File(target, 'registry/config.yml')
config.text = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${storage}
http:
  addr: 127.0.0.1:${port}
"""
def log = new File(target, 'registry/registry.log')
def process = new ProcessBuilder('/usr/bin/docker-registry', 'serve', config.path).redirectErrorStream(true)
        .redirectOutput(log).start()
long deadline = System.currentTimeMillis() + 20000
while (true) {
    try {
        new Socket('127.0.0.1', port).close()
        break
    } catch (IOException e) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
            throw new AssertionError("docker-registry did not start: ${log.text}")
        }
        Thread.sleep(100)
    }
}
new File(target, 'registry/pid').text = String.valueOf(process.pid())
new File(target, 'registry/port').text = String.valueOf(port)
def mvn = new File(basedir, '.mvn')
mvn.mkdirs()
new File(mvn, 'maven.config').text = [
        "-DaltDeploymentRepository=it-release::file://${new File(target, 'repo').absolutePath}",
        "-Dcaptain.oci.registry=127.0.0.1:${port}",
        '-Dcaptain.oci.repository=it/captainos',
].join('\n') + '\n'
true
