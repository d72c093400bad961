// Each packaging type binds its stage goal to package and install to install; skipped stages attach
// nothing, so only the POMs reach the repository. build.log holds both Maven runs, one after the other.
def fail = { String m -> throw new AssertionError(m) }
def runs = new File(basedir, 'build.log').text.split(/(?m)^\[INFO\] Scanning for projects\.\.\.$/).drop(1)
if (runs.size() != 2) fail("expected 2 Maven runs in build.log, found ${runs.size()}")
def (pkg, inst) = runs

['kernel', 'tools', 'initramfs', 'iso'].each { stage ->
    String module = "lifecycle-${stage}"
    def goalLine = /(?m)--- captain:[^:\s]+:${stage} \(default-${stage}\) @ ${module} ---/
    def installLine = /(?m)--- install:[^:\s]+:install \(default-install\) @ ${module} ---/

    if (!(pkg =~ goalLine)) fail("package: captain:${stage} did not run in ${module}")
    if (pkg =~ installLine) fail("package: install ran in ${module}")

    def goal = inst =~ goalLine
    def install = inst =~ installLine
    if (!goal.find()) fail("install: captain:${stage} did not run in ${module}")
    if (!install.find()) fail("install: install did not run in ${module}")
    if (install.start() < goal.start()) fail("install ran before captain:${stage} in ${module}")

    File dir = new File(localRepositoryPath, "io/captainos/it/${module}/1.0")
    def files = (dir.list() ?: [] as String[]).findAll { !it.startsWith('_') && !it.startsWith('maven-metadata') }
    if (files != ["${module}-1.0.pom".toString()]) fail("${module}: expected only the POM installed, found ${files}")
}
runs.each { r ->
    if (!r.contains('iso stage: skip (skip requested)')) fail('the iso stage did not report skip mode')
    if (!r.contains('iso (x86_64): skipped, and no finished earlier ISO')) fail('the skipped iso stage did not say it attached nothing')
    if (!r.contains('initramfs stage: skip (skip requested)')) fail('the initramfs stage did not report skip mode')
    if (!r.contains('initramfs (x86_64): skipped, and no finished earlier image')) {
        fail('the skipped initramfs stage did not say it attached nothing')
    }
    if (!r.contains('kernel stage: skip (skip requested)')) fail('the kernel stage did not report skip mode')
    if (!r.contains('kernel (x86_64): skipped, and no finished earlier kernel')) {
        fail('captain:kernel did not say it skipped and attached nothing')
    }
    if (!r.contains('tools stage: skip (skip requested)')) fail('the tools stage did not report skip mode')
    if (!r.contains('tools (x86_64): skipped, and no finished earlier bundle')) fail('the skipped tools stage did not say it attached nothing')
    if (!r.contains('BUILD SUCCESS')) fail('a build failed')
}
true
