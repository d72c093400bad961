package io.captainos.core.oci;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.http.Http;
import io.captainos.core.http.Retry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of the OCI distribution API for one repository: blob HEAD, monolithic and chunked uploads,
 * cross-repository mounts, manifests put and fetched as exact bytes, blobs fetched and checked against their
 * digest. Authenticates on demand: Basic, or a Bearer token from the realm the registry names. Retries 5xx answers,
 * 429 and I/O failures (timeouts included) with doubling waits; any other 4xx fails with what the registry said.
 */
public final class RegistryClient {
    /** How hard to try and how to cut uploads. */
    public record Options(int attempts, Duration backoff, Duration timeout, long chunkSize, long monolithicLimit) {
        public static Options defaults() {
            return new Options(5, Duration.ofMillis(500), Duration.ofMinutes(5), 16L << 20, 64L << 20);
        }
    }

    /** What a push moved, for the log and for tests. */
    public static final class Stats {
        public long uploadedBlobs;
        public long uploadedBytes;
        public long existingBlobs;
        public long mountedBlobs;
        public long manifests;

        @Override
        public String toString() {
            return uploadedBlobs + " blobs uploaded (" + uploadedBytes + " bytes), " + existingBlobs
                    + " already there, " + mountedBlobs + " mounted, " + manifests + " manifests put";
        }
    }

    /** A manifest or index as the registry has it. */
    public record Manifest(byte[] bytes, String mediaType, String digest) {}

    public static final String ACCEPT_MANIFESTS = String.join(
            ", ", Descriptor.INDEX, Descriptor.MANIFEST, Descriptor.DOCKER_LIST, Descriptor.DOCKER_MANIFEST);

    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final HttpClient http;
    private final Retry retry;
    private final URI base;
    private final String registry;
    private final String repository;
    private final Credentials credentials;
    private final Options options;
    private final BuildLog log;
    private final Map<String, String> authorization = new HashMap<>();
    /** Set once the registry asked for Basic auth: it then goes with every request. */
    private String basic;

    private final Stats stats = new Stats();

    /**
     * @param registry    {@code host[:port]}, optionally with {@code http://} or {@code https://}; without a scheme,
     *                    loopback hosts get plain HTTP and everything else HTTPS
     * @param credentials null for anonymous access
     */
    public RegistryClient(String registry, String repository, Credentials credentials, Options options, BuildLog log) {
        this(registry, repository, credentials, options, log, System.getenv());
    }

    /** @param environment where the proxy settings ({@code https_proxy}, {@code no_proxy}, ...) come from */
    public RegistryClient(
            String registry,
            String repository,
            Credentials credentials,
            Options options,
            BuildLog log,
            Map<String, String> environment) {
        String r = registry.trim().replaceAll("/+$", "");
        if (r.isEmpty()) {
            throw new CaptainException("No registry given: set captain.oci.registry (e.g. ghcr.io)");
        }
        if (!repository.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")) {
            throw new CaptainException("'" + repository + "' is not a valid OCI repository name (lower case"
                    + " letters, digits, separators . _ - and /); fix captain.oci.repository");
        }
        String scheme;
        if (r.startsWith("http://") || r.startsWith("https://")) {
            scheme = r.substring(0, r.indexOf(':'));
            r = r.substring(scheme.length() + 3);
        } else {
            String host = r.replaceAll(":\\d+$", "");
            scheme = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") ? "http" : "https";
        }
        this.registry = r;
        this.base = URI.create(scheme + "://" + r);
        this.repository = repository;
        this.credentials = credentials;
        this.options = options;
        this.log = log;
        this.http = Http.client(environment, Duration.ofSeconds(30), HttpClient.Redirect.NEVER);
        this.retry = new Retry(options.attempts(), options.backoff());
    }

    public String registry() {
        return registry;
    }

    public String repository() {
        return repository;
    }

    public Stats stats() {
        return stats;
    }

    /** Whether the repository has the blob. */
    public boolean hasBlob(String digest) {
        HttpResponse<byte[]> r = send("HEAD", path("/blobs/" + digest), null, Map.of(), pullScope(), true);
        return r.statusCode() == 200;
    }

    /**
     * Makes sure the repository has the blob {@code file} (whose digest is {@code digest}): nothing when it is
     * there, a mount when one of {@code mountFrom} has it, else an upload, monolithic up to the configured limit
     * and chunked above it.
     */
    public void pushBlob(Path file, String digest, List<String> mountFrom) {
        if (hasBlob(digest)) {
            stats.existingBlobs++;
            return;
        }
        for (String from : mountFrom) {
            if (from.equals(repository)) {
                continue;
            }
            URI uri = path("/blobs/uploads/?mount=" + enc(digest) + "&from=" + enc(from));
            HttpResponse<byte[]> r = send(
                    "POST", uri, BodyPublishers::noBody, Map.of(), pushScope() + " repository:" + from + ":pull", true);
            if (r.statusCode() == 201) {
                stats.mountedBlobs++;
                log.debug("mounted " + digest + " from " + from);
                return;
            }
            expect(r, 202, "POST", uri);
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        retried("upload " + digest + " to " + registry + "/" + repository, () -> {
            upload(file, digest, size);
            return null;
        });
        stats.uploadedBlobs++;
        stats.uploadedBytes += size;
    }

    private void upload(Path file, String digest, long size) {
        URI start = path("/blobs/uploads/");
        HttpResponse<byte[]> r = send("POST", start, BodyPublishers::noBody, Map.of(), pushScope(), false);
        expect(r, 202, "POST", start);
        URI location = location(r, start);
        if (size > options.monolithicLimit()) {
            long offset = 0;
            while (offset < size) {
                long length = Math.min(options.chunkSize(), size - offset);
                long from = offset;
                r = send(
                        "PATCH",
                        location,
                        () -> slice(file, from, length),
                        Map.of(
                                "Content-Type",
                                "application/octet-stream",
                                "Content-Range",
                                from + "-" + (from + length - 1)),
                        pushScope(),
                        false);
                expect(r, 202, "PATCH", location);
                location = location(r, location);
                offset += length;
            }
            URI done = withDigest(location, digest);
            r = send(
                    "PUT",
                    done,
                    BodyPublishers::noBody,
                    Map.of("Content-Type", "application/octet-stream"),
                    pushScope(),
                    false);
            expect(r, 201, "PUT", done);
        } else {
            URI done = withDigest(location, digest);
            r = send(
                    "PUT",
                    done,
                    () -> {
                        try {
                            return BodyPublishers.ofFile(file);
                        } catch (IOException e) {
                            throw new CaptainException("Cannot read " + file + ": " + e.getMessage(), e);
                        }
                    },
                    Map.of("Content-Type", "application/octet-stream"),
                    pushScope(),
                    false);
            expect(r, 201, "PUT", done);
        }
    }

    private static BodyPublisher slice(Path file, long offset, long length) {
        return BodyPublishers.fromPublisher(
                BodyPublishers.ofInputStream(() -> {
                    try {
                        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                        ch.position(offset);
                        InputStream in = Channels.newInputStream(ch);
                        return new FilterInputStream(in) {
                            private long left = length;

                            @Override
                            public int read() throws IOException {
                                if (left <= 0) {
                                    return -1;
                                }
                                int b = super.read();
                                if (b >= 0) {
                                    left--;
                                }
                                return b;
                            }

                            @Override
                            public int read(byte[] buf, int off, int len) throws IOException {
                                if (left <= 0) {
                                    return -1;
                                }
                                int n = super.read(buf, off, (int) Math.min(len, left));
                                if (n > 0) {
                                    left -= n;
                                }
                                return n;
                            }
                        };
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }),
                length);
    }

    /** Puts a manifest or index under a tag or digest, byte for byte; returns the digest the registry reports. */
    public String putManifest(String reference, byte[] bytes, String mediaType) {
        URI uri = path("/manifests/" + reference);
        HttpResponse<byte[]> r = send(
                "PUT",
                uri,
                () -> BodyPublishers.ofByteArray(bytes),
                Map.of("Content-Type", mediaType),
                pushScope(),
                true);
        expect(r, 201, "PUT", uri);
        stats.manifests++;
        String expected = "sha256:" + Sha256.of(bytes);
        String reported = r.headers().firstValue("Docker-Content-Digest").orElse(expected);
        if (!reported.equals(expected)) {
            throw new CaptainException(registry + " stored the manifest " + reference + " as " + reported + ", not the "
                    + expected + " of the bytes sent: it rewrote the manifest");
        }
        return expected;
    }

    /** Whether a manifest (tag or digest) exists. */
    public boolean hasManifest(String reference) {
        HttpResponse<byte[]> r = send(
                "HEAD", path("/manifests/" + reference), null, Map.of("Accept", ACCEPT_MANIFESTS), pullScope(), true);
        if (r.statusCode() == 404) {
            return false;
        }
        expect(r, 200, "HEAD", path("/manifests/" + reference));
        return true;
    }

    /** A manifest or index, checked against its digest (the reference's, or the one the registry names). */
    public Optional<Manifest> manifest(String reference) {
        URI uri = path("/manifests/" + reference);
        HttpResponse<byte[]> r = send("GET", uri, null, Map.of("Accept", ACCEPT_MANIFESTS), pullScope(), true);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, "GET", uri);
        String digest = "sha256:" + Sha256.of(r.body());
        String claimed = reference.startsWith("sha256:")
                ? reference
                : r.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!claimed.equals(digest)) {
            throw new CaptainException("The manifest " + reference + " from " + registry + "/" + repository
                    + " has digest " + digest + ", not " + claimed + ": refusing it");
        }
        String type = r.headers()
                .firstValue("Content-Type")
                .orElse("")
                .replaceAll(";.*", "")
                .trim();
        return Optional.of(new Manifest(r.body(), type, digest));
    }

    /** Downloads a blob to {@code target} (atomically), refusing it unless its sha256 and size are as described. */
    public void fetchBlob(Descriptor blob, Path target) {
        retried("download " + blob.digest() + " from " + registry + "/" + repository, () -> {
            fetchOnce(blob, target);
            return null;
        });
    }

    private void fetchOnce(Descriptor blob, Path target) {
        URI uri = path("/blobs/" + blob.digest());
        HttpResponse<InputStream> r = sendStream(uri);
        Path tmp = null;
        try (InputStream in = r.body()) {
            if (r.statusCode() >= 500 || r.statusCode() == 429) {
                throw new Retryable("GET " + uri.getPath() + ": HTTP " + r.statusCode());
            }
            if (r.statusCode() != 200) {
                throw failure(r.statusCode(), in.readAllBytes(), "GET", uri);
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            tmp = Files2.temporaryFile(target);
            MessageDigest sha = Sha256.newDigest();
            long n = 0;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                int k;
                while ((k = in.read(buf)) > 0) {
                    sha.update(buf, 0, k);
                    out.write(buf, 0, k);
                    n += k;
                    if (n > blob.size()) {
                        throw new CaptainException("The blob " + blob.digest() + " from " + registry + "/"
                                + repository + " is longer than the " + blob.size() + " bytes described:"
                                + " refusing it");
                    }
                }
            }
            String got = "sha256:" + Sha256.hex(sha);
            if (!got.equals(blob.digest()) || n != blob.size()) {
                throw new CaptainException("The blob " + blob.digest() + " from " + registry + "/" + repository
                        + " arrived as " + got + " (" + n + " bytes, " + blob.size()
                        + " expected): refusing it");
            }
            Files2.commit(tmp, target);
        } catch (IOException e) {
            throw new Retryable("GET " + uri.getPath() + ": " + Retry.describe(e));
        } finally {
            if (tmp != null) {
                Files2.deleteQuietly(tmp);
            }
        }
    }

    private HttpResponse<InputStream> sendStream(URI uri) {
        String scope = pullScope();
        for (int round = 0; round < 2; round++) {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(uri).timeout(options.timeout()).GET();
            String auth = authorization.getOrDefault(scope, basic);
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<InputStream> r =
                    exchange(b.build(), HttpResponse.BodyHandlers.ofInputStream(), "GET " + uri.getPath());
            if (r.statusCode() == 401 && round == 0) {
                closeQuietly(r.body());
                authenticate(r.headers().firstValue("WWW-Authenticate").orElse(""), scope, "GET", uri);
                continue;
            }
            if (r.statusCode() == 307 || r.statusCode() == 302 || r.statusCode() == 301) {
                closeQuietly(r.body());
                URI next = uri.resolve(r.headers()
                        .firstValue("Location")
                        .orElseThrow(
                                () -> new CaptainException("GET " + uri.getPath() + " redirected without a Location")));
                // Blob storage behind a redirect is signed by its URL: no registry credentials go there.
                return exchange(
                        HttpRequest.newBuilder(next)
                                .timeout(options.timeout())
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream(),
                        "GET " + next.getHost());
            }
            return r;
        }
        throw new IllegalStateException("unreachable");
    }

    /** One HTTP exchange; an I/O failure (a timeout too) is {@link Retryable}. */
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new Retryable(what + ": " + Retry.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException("Interrupted", e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to keep
        }
    }

    /** An I/O failure or a 5xx/429 answer: worth another attempt. */
    private static final class Retryable extends CaptainException {
        Retryable(String message) {
            super(message);
        }
    }

    private HttpResponse<byte[]> send(
            String method,
            URI uri,
            Supplier<BodyPublisher> body,
            Map<String, String> headers,
            String scope,
            boolean retry) {
        if (!retry) {
            return sendAuthenticated(method, uri, body, headers, scope);
        }
        return retried(
                method + " " + uri.getPath() + " at " + registry,
                () -> sendAuthenticated(method, uri, body, headers, scope));
    }

    /** Runs {@code op} with the client's retry policy: a {@link Retryable} failure is tried again. */
    private <T> T retried(String what, Supplier<T> op) {
        return retry.run(what, "", log, () -> {
            try {
                return op.get();
            } catch (Retryable e) {
                throw new Retry.Failure(e.getMessage(), e);
            }
        });
    }

    private HttpResponse<byte[]> sendAuthenticated(
            String method, URI uri, Supplier<BodyPublisher> body, Map<String, String> headers, String scope) {
        for (int round = 0; round < 2; round++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .timeout(options.timeout())
                    .method(method, body == null ? BodyPublishers.noBody() : body.get());
            headers.forEach(b::header);
            String auth = authorization.getOrDefault(scope, basic);
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<byte[]> r =
                    exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray(), method + " " + uri.getPath());
            if (r.statusCode() >= 500 || r.statusCode() == 429) {
                throw new Retryable(method + " " + uri.getPath() + ": HTTP " + r.statusCode() + message(r.body()));
            }
            if (r.statusCode() == 401 && round == 0) {
                authenticate(r.headers().firstValue("WWW-Authenticate").orElse(""), scope, method, uri);
                continue;
            }
            if (r.statusCode() == 401) {
                throw failure(401, method.equals("HEAD") ? errorBody(uri, scope) : r.body(), method, uri);
            }
            return r;
        }
        throw new IllegalStateException("unreachable");
    }

    /** A HEAD answer has no body: the same request as GET brings the registry's reason. */
    private byte[] errorBody(URI uri, String scope) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(options.timeout()).GET();
        String auth = authorization.getOrDefault(scope, basic);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            HttpResponse<byte[]> r = exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray(), "GET");
            return r.statusCode() == 401 ? r.body() : new byte[0];
        } catch (Retryable e) {
            return new byte[0];
        }
    }

    /** Answers a 401's challenge: Basic with the credentials, or a Bearer token from the named realm. */
    private void authenticate(String challenge, String scope, String method, URI uri) {
        String scheme = challenge.trim().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (scheme.equals("basic")) {
            if (credentials == null) {
                throw new RegistryException(
                        401,
                        registry + " wants a user and password for " + method + " "
                                + uri.getPath() + ": set them in settings.xml (<server> with id " + registry
                                + "), in ~/.docker/config.json, or with -Dcaptain.oci.username/-Dcaptain.oci.password");
            }
            basic = credentials.basicHeader();
            return;
        }
        if (!scheme.equals("bearer")) {
            throw new RegistryException(
                    401,
                    registry + " answered " + method + " " + uri.getPath()
                            + " with 401 and an authentication scheme this client does not speak: '" + scheme + "'");
        }
        Map<String, String> params = new HashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new RegistryException(401, registry + " asked for a Bearer token without naming its realm");
        }
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (params.containsKey("service")) {
            q.append("service=").append(enc(params.get("service")));
        }
        for (String s : (params.containsKey("scope") && !scope.contains(params.get("scope"))
                        ? params.get("scope") + " " + scope
                        : scope)
                .split(" ")) {
            q.append("&scope=").append(enc(s));
        }
        URI tokenUri = URI.create(q.toString());
        HttpRequest.Builder b =
                HttpRequest.newBuilder(tokenUri).timeout(options.timeout()).GET();
        if (credentials != null) {
            b.header("Authorization", credentials.basicHeader());
        }
        HttpResponse<byte[]> r =
                exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray(), "token request to " + tokenUri.getHost());
        if (r.statusCode() != 200) {
            throw new RegistryException(
                    r.statusCode(),
                    "The token service " + tokenUri.getHost()
                            + " of " + registry + " refused " + (credentials == null ? "anonymous access" : credentials)
                            + ": HTTP " + r.statusCode() + message(r.body()));
        }
        Map<String, Object> token =
                Json.object(Json.parse(r.body(), "the token answer of " + tokenUri.getHost()), "the token answer");
        Object t = token.get("token") != null ? token.get("token") : token.get("access_token");
        if (!(t instanceof String s) || s.isEmpty()) {
            throw new RegistryException(401, "The token service of " + registry + " sent no token");
        }
        authorization.put(scope, "Bearer " + s);
    }

    private void expect(HttpResponse<byte[]> r, int status, String method, URI uri) {
        if (r.statusCode() != status) {
            throw failure(r.statusCode(), r.body(), method, uri);
        }
    }

    private RegistryException failure(int status, byte[] body, String method, URI uri) {
        String who = status == 401 || status == 403
                ? (credentials == null ? " (no credentials were given)" : " (with " + credentials + ")")
                : "";
        return new RegistryException(
                status,
                registry + " refused " + method + " " + uri.getPath() + ": HTTP " + status + message(body) + who);
    }

    /** The registry's own error text: {@code errors[].code/message} when it sent them, else the body's start. */
    static String message(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8).trim();
        try {
            Map<String, Object> m = Json.object(Json.parse(text, "error"), "error");
            StringBuilder out = new StringBuilder();
            for (Object e : Json.list(m.get("errors"), "errors")) {
                Map<String, Object> err = Json.object(e, "error");
                out.append(out.length() == 0 ? ": " : "; ")
                        .append(err.get("code"))
                        .append(' ')
                        .append(err.get("message"));
            }
            if (out.length() > 0) {
                return out.toString();
            }
        } catch (CaptainException notJson) {
            // plain text below
        }
        return ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }

    private URI location(HttpResponse<byte[]> r, URI against) {
        return against.resolve(r.headers()
                .firstValue("Location")
                .orElseThrow(() -> new CaptainException(registry + " started an upload without a Location header")));
    }

    private static URI withDigest(URI location, String digest) {
        String s = location.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + enc(digest));
    }

    private URI path(String rest) {
        return base.resolve("/v2/" + repository + rest);
    }

    private String pullScope() {
        return "repository:" + repository + ":pull";
    }

    private String pushScope() {
        return "repository:" + repository + ":pull,push";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** For messages: {@code registry/repository}. */
    @Override
    public String toString() {
        return registry + "/" + repository;
    }
}
