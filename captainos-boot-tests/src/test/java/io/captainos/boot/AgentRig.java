package io.captainos.boot;

import io.captainos.agent.StandinAgent;
import io.captainos.core.oci.LocalRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a booted machine needs to bring its agent up, made by the test: a real registry serving the stand-in agent
 * (compiled for the guest's arch, as strict as the real agent), optionally behind a password, and a listener
 * standing in for the tink server, which hands out the given actions. {@link #keys()} are the kernel command line
 * keys that point the machine at them.
 */
final class AgentRig implements AutoCloseable {
    static final String WORKER = "52:54:00:12:34:56";
    final Registry registry;
    final TinkServer tink;
    final String agentDigest;
    private final boolean password;

    private AgentRig(Registry registry, TinkServer tink, String agentDigest, boolean password) {
        this.registry = registry;
        this.tink = tink;
        this.agentDigest = agentDigest;
        this.password = password;
    }

    static AgentRig start(Path dir, boolean password, List<String> actions) throws Exception {
        return start(dir, password, actions, false);
    }

    /** The tink server as the guest reaches it: on the registry's host, over the same IP version. */
    private String tinkFromGuest() {
        return registry.hostFromGuest() + ":" + tink.port;
    }

    /** @param ipv6 the registry and the tink server listen on {@code ::1} only; the guest gets IPv6 literals */
    static AgentRig start(Path dir, boolean password, List<String> actions, boolean ipv6) throws Exception {
        Registry registry = Registry.start(dir.resolve("agents"), password, ipv6);
        try {
            Path agent = StandinAgent.build(dir.resolve("standin"), Guest.arch().debian());
            String digest = registry.pushImage(
                    "tinkerbell/tink-agent",
                    "v1",
                    Guest.arch().debian(),
                    Map.of("usr/bin/tink-agent", Files.readAllBytes(agent)));
            return new AgentRig(
                    registry,
                    new TinkServer(actions, ipv6 ? InetAddress.getByName("::1") : InetAddress.getLoopbackAddress()),
                    digest,
                    password);
        } catch (Exception e) {
            registry.close();
            throw e;
        }
    }

    String image() {
        return registry.fromGuest() + "/tinkerbell/tink-agent:v1";
    }

    /** The command line keys for this rig: the agent image, its registry over plain HTTP, the server, the id. */
    Map<String, String> keys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tink_worker_image", image());
        if (password) {
            keys.put("registry_username", LocalRegistry.USER);
            keys.put("registry_password", LocalRegistry.PASSWORD);
        }
        keys.put("insecure_registries", registry.fromGuest());
        keys.put("grpc_authority", tinkFromGuest());
        keys.put("worker_id", WORKER);
        keys.put("tinkerbell_tls", "false");
        return keys;
    }

    /**
     * Waits for the agent's connection to the tink server and checks what the agent parsed from its command line
     * and environment against the keys; returns that line.
     */
    String awaitAgent(Guest guest, Duration timeout) throws InterruptedException {
        String hello = tink.awaitConnection(timeout);
        if (hello == null) {
            throw new AssertionError("the agent never connected to the tink server at " + tinkFromGuest() + " within "
                    + timeout.toSeconds() + " s");
        }
        System.out.printf("%s: agent up %.1f s after QEMU started%n", guest.name, guest.seconds());
        for (String field : List.of(
                "\"standin\":\"parsed\"",
                "\"id\":\"" + WORKER + "\"",
                "\"runtime\":\"containerd\"",
                "\"transport\":\"grpc\"",
                "\"grpc_server\":\"" + tinkFromGuest() + "\"",
                "\"grpc_tls\":false",
                "\"grpc_insecure_tls\":false",
                "\"containerd_socket\":\"/run/containerd/containerd.sock\"",
                "\"containerd_namespace\":\"tinkerbell\"")) {
            if (!hello.contains(field)) {
                throw new AssertionError(field + " missing in what the agent parsed: " + hello);
            }
        }
        return hello;
    }

    @Override
    public void close() {
        tink.close();
        registry.close();
    }
}
