package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static final Setting S = Settings.ARCH;

    @Test
    void commandLineWinsOverEverything() {
        Settings s = new Settings(
                Map.of("captain.arch", "arm64"), Map.of("captain.arch", "x86_64"), Map.of("ARCH", "aarch64"));
        Settings.Value v = s.resolve(S);
        assertEquals("arm64", v.value());
        assertEquals("command line -Dcaptain.arch", v.origin());
        assertEquals(S, v.setting());
    }

    @Test
    void projectPropertyWinsOverEnvironment() {
        Settings s = new Settings(Map.of(), Map.of("captain.arch", "x86_64"), Map.of("ARCH", "aarch64"));
        Settings.Value v = s.resolve(S);
        assertEquals("x86_64", v.value());
        assertEquals("project property captain.arch", v.origin());
    }

    @Test
    void environmentWinsOverDefault() {
        Settings s = new Settings(Map.of(), Map.of(), Map.of("ARCH", "aarch64"));
        Settings.Value v = s.resolve(S);
        assertEquals("aarch64", v.value());
        assertEquals("environment ARCH", v.origin());
    }

    @Test
    void emptyEnvironmentValueFallsBackToDefault() {
        Settings s = new Settings(Map.of(), Map.of(), Map.of("ARCH", ""));
        Settings.Value v = s.resolve(S);
        assertEquals("amd64", v.value());
        assertEquals("default", v.origin());
    }

    @Test
    void defaultWhenNothingIsSet() {
        Settings s = new Settings(Map.of(), Map.of("captain.other", "x"), Map.of("OTHER", "y"));
        Settings.Value v = s.resolve(S);
        assertEquals("amd64", v.value());
        assertEquals("default", v.origin());
        assertEquals("amd64", s.get(S));
    }

    @Test
    void environmentUsesTheSettingsEnvName() {
        // the property name in the environment is not consulted, only the env variable name
        Settings s = new Settings(Map.of(), Map.of(), Map.of("captain.arch", "arm64"));
        assertEquals("amd64", s.get(S));
    }

    @Test
    void ofUsesCommandLineOnly() {
        Settings s = Settings.of(Map.of("captain.arch", "arm64"));
        assertEquals("arm64", s.get(S));
        assertTrue(s.resolve(S).origin().startsWith("command line"));
    }

    @Test
    void flagParsesTrueAndFalseSpellings() {
        Setting f = Settings.HOST_INSTALL;
        for (String t : List.of("true", "TRUE", "yes", "1", " Yes ", "")) {
            assertTrue(Settings.of(Map.of(f.property(), t)).flag(f), "'" + t + "'");
        }
        for (String t : List.of("false", "False", "no", "0", " NO ")) {
            assertFalse(Settings.of(Map.of(f.property(), t)).flag(f), "'" + t + "'");
        }
        // default of captain.host.install is true
        assertTrue(Settings.of(Map.of()).flag(f));
        // default of a stage force is false
        assertFalse(Settings.of(Map.of()).flag(Settings.force(Stage.KERNEL)));
        // environment
        assertFalse(new Settings(Map.of(), Map.of(), Map.of("CAPTAIN_HOST_INSTALL", "no")).flag(f));
    }

    @Test
    void invalidFlagFailsNamingPropertyAndValue() {
        Setting f = Settings.HOST_INSTALL;
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> Settings.of(Map.of(f.property(), "maybe")).flag(f));
        String m = e.getMessage();
        assertTrue(m.contains("'maybe'"), m);
        assertTrue(m.contains("captain.host.install"), m);
        assertTrue(m.contains("true or false"), m);
    }

    @Test
    void stageModeAndForceSettings() {
        Setting mode = Settings.mode(Stage.INITRAMFS);
        assertEquals("MKOSI_MODE", mode.env());
        assertEquals("captain.initramfs.mode", mode.property());
        assertEquals("auto", mode.defaultValue());
        assertEquals("TOOLS_MODE", Settings.mode(Stage.TOOLS).env());
        assertEquals("captain.tools.mode", Settings.mode(Stage.TOOLS).property());

        Setting force = Settings.force(Stage.INITRAMFS);
        assertEquals("MKOSI_FORCE", force.env());
        assertEquals("captain.initramfs.force", force.property());
        assertEquals("false", force.defaultValue());

        Settings s = new Settings(Map.of(), Map.of(), Map.of("MKOSI_MODE", "skip"));
        assertEquals(Mode.SKIP, Mode.parse(s.get(mode), mode.property()));
        assertEquals("environment MKOSI_MODE", s.resolve(mode).origin());
    }

    @Test
    void allListsEverySettingOnce() {
        List<Setting> all = Settings.all();
        assertEquals(Settings.ARCH, all.get(0));
        Set<Setting> declared = new HashSet<>();
        for (Field f : Settings.class.getFields()) {
            if (f.getType() == Setting.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    declared.add((Setting) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertTrue(all.containsAll(declared), "every declared setting is listed");
        assertEquals(declared.size() + 2 * Stage.values().length, all.size());
        Set<String> props = new HashSet<>();
        for (Setting s : all) {
            assertTrue(props.add(s.property()), "duplicate " + s.property());
        }
        assertTrue(props.contains("captain.iso.force"));
        assertTrue(props.contains("captain.host.install"));
        assertThrows(UnsupportedOperationException.class, () -> all.add(Settings.CACHE));
    }

    @Test
    void mapsAreCopied() {
        HashMap<String, String> cl = new HashMap<>(Map.of("captain.arch", "arm64"));
        Settings s = new Settings(cl, Map.of(), Map.of());
        cl.put("captain.arch", "amd64");
        assertEquals("arm64", s.get(S));
    }
}
