package io.captainos.maven;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Setting;
import io.captainos.core.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every build setting is a parameter of every stage goal, so {@code captain:help -Ddetail} and the generated goal
 * documentation list it with its description: checked against the plugin descriptor the build generated.
 */
class SettingsParametersTest {
    private static final Path DESCRIPTOR = Path.of("target/classes/META-INF/maven/plugin.xml");

    @Test
    void everySettingIsAParameterOfEveryStageGoalWithItsEnvironmentVariableDocumented() throws Exception {
        String xml = Files.readString(DESCRIPTOR);
        List<String> missing = new ArrayList<>();
        for (String goal : List.of("kernel", "tools", "initramfs", "iso", "summary", "clean")) {
            Matcher m = Pattern.compile("(?s)<mojo>\\s*<goal>" + goal + "</goal>(.*?)</mojo>")
                    .matcher(xml);
            assertTrue(m.find(), "no goal " + goal + " in " + DESCRIPTOR);
            String mojo = m.group(1);
            for (Setting s : Settings.all()) {
                Matcher p = Pattern.compile("<([A-Za-z]+) implementation=\"java.lang.String\">\\$\\{"
                                + Pattern.quote(s.property()) + "}</\\1>")
                        .matcher(mojo);
                if (!p.find()) {
                    missing.add(goal + ": " + s.property());
                    continue;
                }
                String name = p.group(1);
                Matcher d = Pattern.compile(
                                "(?s)<parameter>\\s*<name>" + name + "</name>.*?<description>(.*?)" + "</description>")
                        .matcher(mojo);
                if (!d.find() || (s.env() != null && !d.group(1).contains(s.env()))) {
                    missing.add(goal + ": " + s.property() + " does not document " + s.env());
                }
            }
        }
        assertTrue(missing.isEmpty(), "settings that are not documented parameters: " + missing);
    }
}
