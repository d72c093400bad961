String log = new File(basedir, 'build.log').text
int first = log.indexOf('BUILD SUCCESS')
int second = log.indexOf('BUILD SUCCESS', first + 1)
assert first > 0 && second > 0 : 'the first two builds passed'
String offline = log.substring(first, second)
assert offline.contains('tools (x86_64): building from debian-source (forced)') : 'the second build was forced'
// 2: offline, from the cache alone: the signed index of an earlier run, no download
assert offline.contains('offline: the InRelease of trixie verified on an earlier run')
assert !offline.contains('Downloading ') : "the offline build downloaded: ${offline}"
assert offline =~ /tools \(x86_64\): captainos-tools-x86_64\.tar\.zst, [0-9.]+ MB/
// 3: what is missing, and what to do
assert log.contains('Maven is offline (-o) and http://deb.debian.org/captainos-never-fetched/dists/trixie/InRelease'
        + ' is not in the download cache') : 'the missing index is named'
assert log.contains('run the build once without -o to fill the cache')
return true
