// A fake ISO: 8 KiB of filler with smee's magic string (the plugin's own copy) at byte 3000.
def magic = new File(basedir, '../../classes/io/captainos/iso/magic-string.txt').bytes
assert magic.length == 1024
byte[] image = new byte[8192]
java.util.Arrays.fill(image, (byte) 0x2e)
System.arraycopy(magic, 0, image, 3000, magic.length)
def out = new File(basedir, 'out')
out.mkdirs()
new File(out, 'captainos-1-x86_64.iso').bytes = image
true
