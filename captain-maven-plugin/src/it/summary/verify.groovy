// The summary names each setting's value and where it came from: command line, project property, environment
// or default.
def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text
def expect = { pattern, String what -> if (!(log =~ pattern)) fail("build.log does not show ${what}") }

expect(/CaptainOS build configuration \(captain-maven-plugin [^)]+\)/, 'the summary header')
expect(/(?m)arches: arm64 \(aarch64\)$/, 'arm64 as the only arch')
expect(/stage kernel\s+mode skip\s+->\s+skip\s+\(skip requested\)/, 'the kernel stage in skip mode')
expect(/stage tools\s+mode auto\s+->\s+native\s+\(No Docker engine at unix:\/\/\/nonexistent\/captainos\/docker\.sock \(environment DOCKER_HOST\): the socket \/nonexistent\/captainos\/docker\.sock does not exist: native\)/,
        'the tools stage resolving auto to native, and why')
expect(/captain\.arch\s+ARCH\s+=\s+arm64\s+\[command line -Dcaptain\.arch\]/, 'captain.arch from the command line')
expect(/captain\.kernel\.mode\s+KERNEL_MODE\s+=\s+skip\s+\[environment KERNEL_MODE\]/, 'the kernel mode from KERNEL_MODE')
expect(/captain\.debian\.suites\s+DEBIAN_SUITES\s+=\s+trixie\s+\[project property captain\.debian\.suites\]/,
        'captain.debian.suites from the project')
expect(/captain\.tools\.source\s+TOOLS_SOURCE\s+=\s+debian-source\s+\[default\]/, 'the default tools source')
expect(/aarch64 tools artifact: io\.captainos:captainos-tools:<version>:tar\.zst:aarch64/, 'the arm64 tools coordinates')
if (log =~ /x86_64 tools artifact/) fail('the summary lists x86_64 although only arm64 was asked for')
if (!log.contains('BUILD SUCCESS')) fail('the summary failed')
true
