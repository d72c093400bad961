package io.captainos.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvProxySelectorTest {
    private static final Proxy FALLBACK = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("fallback", 1));

    private static final ProxySelector FALLBACK_SELECTOR = new ProxySelector() {
        @Override
        public List<Proxy> select(URI uri) {
            return List.of(FALLBACK);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    };

    private static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port));
    }

    private static List<Proxy> select(Map<String, String> env, String uri) {
        return new EnvProxySelector(env, null).select(URI.create(uri));
    }

    @Test
    void httpProxyIsUsedForHttp() {
        Map<String, String> env = Map.of("http_proxy", "http://proxy.corp:3128");
        assertEquals(List.of(http("proxy.corp", 3128)), select(env, "http://deb.debian.org/debian/dists/trixie"));
    }

    @Test
    void proxyWithoutSchemeOrPort() {
        assertEquals(List.of(http("proxy.corp", 80)), select(Map.of("http_proxy", "proxy.corp"), "http://a.org/"));
        assertEquals(
                List.of(http("proxy.corp", 8080)), select(Map.of("http_proxy", "proxy.corp:8080"), "http://a.org/"));
    }

    @Test
    void upperCaseVariablesWork() {
        assertEquals(
                List.of(http("proxy.corp", 3128)),
                select(Map.of("HTTPS_PROXY", "http://proxy.corp:3128"), "https://github.com/x"));
    }

    @Test
    void httpProxyIsNotUsedForHttps() {
        Map<String, String> env = Map.of("http_proxy", "http://proxy.corp:3128");
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "https://github.com/x"));
        assertEquals(
                List.of(FALLBACK),
                new EnvProxySelector(env, FALLBACK_SELECTOR).select(URI.create("https://github.com/x")));
    }

    @Test
    void noProxyEntriesBypass() {
        Map<String, String> env =
                Map.of("http_proxy", "http://proxy.corp:3128", "no_proxy", " .example.com , localhost");
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://mirror.example.com/debian"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://a.b.example.com/debian"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://example.com/debian"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://localhost:8080/x"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://LOCALHOST/x"));
        // not bypassed: suffix that is not a domain boundary, and other hosts
        assertEquals(List.of(http("proxy.corp", 3128)), select(env, "http://badexample.com/x"));
        assertEquals(List.of(http("proxy.corp", 3128)), select(env, "http://deb.debian.org/x"));
        assertEquals(List.of(http("proxy.corp", 3128)), select(env, "http://notlocalhost/x"));
    }

    @Test
    void noProxyEntryWithoutDotMatchesSubdomains() {
        Map<String, String> env = Map.of("http_proxy", "proxy:1", "NO_PROXY", "example.com");
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://example.com/"));
        assertEquals(List.of(Proxy.NO_PROXY), select(env, "http://www.example.com/"));
        assertEquals(List.of(http("proxy", 1)), select(env, "http://myexample.com/"));
    }

    @Test
    void noProxyStarBypassesEverything() {
        Map<String, String> env = Map.of("http_proxy", "proxy:1", "no_proxy", "*");
        assertEquals(
                List.of(FALLBACK), new EnvProxySelector(env, FALLBACK_SELECTOR).select(URI.create("http://x.org/")));
    }

    @Test
    void withoutVariablesTheFallbackDecides() {
        assertEquals(
                List.of(FALLBACK),
                new EnvProxySelector(Map.of(), FALLBACK_SELECTOR).select(URI.create("http://x.org/")));
        assertEquals(List.of(Proxy.NO_PROXY), select(Map.of(), "http://x.org/"));
        assertEquals(List.of(Proxy.NO_PROXY), select(Map.of("http_proxy", ""), "http://x.org/"));
    }
}
