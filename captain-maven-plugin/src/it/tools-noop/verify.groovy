// The invoker appends every invocation of a build job to the one build.log: split it per Maven run.
def fail = { String m -> throw new AssertionError(m) }
def log = new File(basedir, 'build.log').text
def runs = log.split(/(?m)^\[INFO\] Scanning for projects\.\.\.$/).drop(1)
if (runs.size() != 4) fail("expected 4 Maven runs in build.log, found ${runs.size()}")
runs.eachWithIndex { r, i -> if (!r.contains('BUILD SUCCESS')) fail("run ${i + 1} failed") }

def built = /tools \(x86_64\): building from debian-source \(/
def upToDate = /tools \(x86_64\): up to date, inputs [0-9a-f]{12}; skipping/

if (!(runs[0] =~ built)) fail('run 1 did not build the bundle')
if (runs[1] =~ built) fail('run 2 rebuilt although nothing changed')
if (!(runs[1] =~ upToDate)) fail('run 2 did not say the bundle is up to date and skipped')
if (!(runs[2] =~ /tools \(x86_64\): building from debian-source \(forced\)/)) fail('run 3 (-Dcaptain.tools.force=true) did not rebuild')
// The forced rebuild compiles containerd again: the same packages and source give the same binary.
def containerd = { String r ->
    def m = r =~ /(?m)^\[INFO\]\s+usr\/local\/bin\/containerd\t.*\t([0-9a-f]{64})$/
    m.find() ? m.group(1) : null
}
if (containerd(runs[0]) == null) fail('run 1 printed no manifest row for containerd')
if (containerd(runs[0]) != containerd(runs[2])) {
    fail("the forced rebuild made another containerd: ${containerd(runs[0])} then ${containerd(runs[2])}")
}
if (runs[3] =~ built) fail('run 4 (skip mode) built')
if (!(runs[3] =~ /tools stage: skip \(skip requested\)/)) fail('run 4 did not report skip mode')
if (!(runs[3] =~ /tools \(x86_64\): skipped; attaching the existing \S+captainos-tools-x86_64\.tar\.zst/)) {
    fail('run 4 did not attach the bundle built before')
}
if (!(runs[3] =~ /Installing \S+captainos-tools-x86_64\.tar\.zst to \S+tools-noop-1\.0-x86_64\.tar\.zst/)) {
    fail('run 4 did not install the existing bundle')
}

File bundle = new File(localRepositoryPath, 'io/captainos/it/tools-noop/1.0/tools-noop-1.0-x86_64.tar.zst')
if (!bundle.isFile()) fail("not installed: ${bundle}")
true
