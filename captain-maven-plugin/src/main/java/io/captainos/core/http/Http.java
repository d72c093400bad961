package io.captainos.core.http;

import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * The one way the build makes HTTP clients, for downloads and for registries alike: proxies from
 * {@code http_proxy}/{@code https_proxy}/{@code no_proxy} in the environment (as apt, curl and wget take them, loopback
 * never proxied), then Java's own proxy properties.
 */
public final class Http {
    private Http() {}

    public static HttpClient client(
            Map<String, String> environment, Duration connectTimeout, HttpClient.Redirect redirects) {
        return HttpClient.newBuilder()
                .followRedirects(redirects)
                .connectTimeout(connectTimeout)
                .proxy(new EnvProxySelector(environment, ProxySelector.getDefault()))
                .build();
    }
}
