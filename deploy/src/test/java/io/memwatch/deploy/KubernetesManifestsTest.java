package io.memwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.Prometheus;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No cluster is reachable here, so the manifests of {@code deploy/kubernetes} are checked without one: every
 * document read strictly into fabric8's Kubernetes and Prometheus Operator models (an unknown field anywhere is a
 * failure), then what must agree between them cross-checked, the agent's options read by memwatch's own parser.
 * Each check is shown to catch the mistake it is for, made in a copy of the manifests' text.
 */
class KubernetesManifestsTest {
  private static String dockerfile() throws IOException {
    return Files.readString(Manifests.AGENT_DOCKERFILE);
  }

  @Test
  void everyDocumentIsReadStrictlyIntoTheModel() {
    Manifests manifests = Manifests.load();

    assertThat(manifests.problems()).isEmpty();
    assertThat(manifests.all(Deployment.class)).hasSize(1);
    assertThat(manifests.all(Secret.class)).hasSize(1);
    assertThat(manifests.all(PodMonitor.class)).hasSize(1);
    assertThat(manifests.all(Prometheus.class)).hasSize(1);
    assertThat(manifests.all(ServiceAccount.class)).hasSize(1);
    assertThat(manifests.all(ClusterRole.class)).hasSize(1);
    assertThat(manifests.all(ClusterRoleBinding.class)).hasSize(1);
    assertThat(manifests.documents()).hasSize(7);
  }

  @Test
  void theManifestsAndTheAgentImageAgree() throws IOException {
    assertThat(ManifestChecks.problems(Manifests.load(), dockerfile())).isEmpty();
  }

  @Test
  void theAgentIsLoadedByJdkJavaOptionsWithTheOptionsOfAPod() {
    Deployment deployment = Manifests.load().all(Deployment.class).get(0);
    AgentCommandLine agent = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .flatMap(c -> AgentCommandLine.of(c).stream())
        .findFirst().orElseThrow();

    assertThat(agent.variable()).isEqualTo("JDK_JAVA_OPTIONS");
    assertThat(agent.jarPath()).isEqualTo("/opt/memwatch/memwatch-agent.jar");
    assertThat(agent.agentArgs())
        .isEqualTo("port=9404,host=0.0.0.0,basicAuthUser=prometheus,basicAuthPasswordFile=/etc/memwatch/password");
  }

  @Test
  void aMisspeltFieldIsFoundWhereverItIs() {
    Manifests manifests = Manifests.read(Map.of("secret.yaml", """
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
          lables: {a: b}
        stringDta:
          password: x
        """));

    assertThat(manifests.problems()).containsExactlyInAnyOrder(
        "secret.yaml#1 Secret/s: unknown field metadata.lables",
        "secret.yaml#1 Secret/s: unknown field stringDta");
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of("orders-service.yaml", "containerPort: 9404", "containerPorts: 9404",
            "unknown field spec.template.spec.containers[0].ports[1].containerPorts"),
        Arguments.of("orders-service.yaml", "replicas: 2", "replicas: \"2\"", "does not fit Deployment"),
        Arguments.of("orders-service.yaml", "      containers:\n", "      containers:\n      containers:\n", "not YAML that can be read"),
        Arguments.of("orders-service.yaml", "name: JDK_JAVA_OPTIONS", "name: JAVA_TOOL_OPTIONS",
            "loads memwatch by JAVA_TOOL_OPTIONS, which every JVM of the container reads"),
        Arguments.of("orders-service.yaml", "port=9404,", "port=9405,",
            "memwatch serves on port 9405, which is no named port of the container"),
        Arguments.of("orders-service.yaml", "port=9404,", "port=9404x,",
            "memwatch would say at start: option 'port' (agent argument) has a bad value '9404x'"),
        Arguments.of("orders-service.yaml", "basicAuthPasswordFile=", "basicAuthPaswordFile=",
            "memwatch would say at start: unknown option 'basicAuthPaswordFile' ignored"),
        Arguments.of("orders-service.yaml", ",basicAuthUser=prometheus,basicAuthPasswordFile=/etc/memwatch/password", "",
            "host=0.0.0.0 serves the metrics beyond loopback without basic auth or TLS"),
        Arguments.of("orders-service.yaml", "\"/opt/memwatch/memwatch-agent.jar\"]", "\"/tmp/memwatch-agent.jar\"]",
            "no init container copies the agent's jar to memwatch-agent.jar of volume memwatch-agent"),
        Arguments.of("orders-service.yaml", "mountPath: /etc/memwatch", "mountPath: /etc/memwatch-auth",
            "the password file /etc/memwatch/password lies in no Secret volume mounted in the container"),
        Arguments.of("orders-service.yaml", "        fsGroup: 10001\n", "",
            "the password file has mode 0440, which the container's user cannot read without the pod's fsGroup"),
        Arguments.of("orders-service.yaml", "              memory: 1Gi\n          volumeMounts:", "              cpu: 1\n          volumeMounts:",
            "no memory limit"),
        Arguments.of("memwatch-podmonitor.yaml", "- port: memwatch", "- port: metrics",
            "port metrics is no port name of container orders-service"),
        Arguments.of("memwatch-podmonitor.yaml", "key: password", "key: pasword",
            "basicAuth.password is Secret memwatch-basic-auth key pasword, the agent reads its password from Secret memwatch-basic-auth key password"),
        Arguments.of("memwatch-podmonitor.yaml", "app.kubernetes.io/name: orders-service", "app.kubernetes.io/name: order-service",
            "matches the pods of no Deployment that loads memwatch"),
        Arguments.of("memwatch-podmonitor.yaml", "path: /metrics", "path: /metric", "path /metric, memwatch serves /metrics"),
        Arguments.of("memwatch-secret.yaml", "username: prometheus", "username: scraper",
            "holds scraper, the agent asks for prometheus"),
        Arguments.of("prometheus.yaml", "podMonitorSelector:", "podMonitorSelectors:", "unknown field spec.podMonitorSelectors"),
        Arguments.of("prometheus.yaml", "      app.kubernetes.io/part-of: memwatch", "      app.kubernetes.io/part-of: memwatch-fleet",
            "does not select PodMonitor/orders-service-memwatch"),
        Arguments.of("prometheus.yaml", "  podMonitorNamespaceSelector: {}\n", "",
            "without podMonitorNamespaceSelector it sees only PodMonitors of its own namespace monitoring"),
        Arguments.of("prometheus.yaml", "cluster: eu-west-1-prod", "region: eu-west-1", "no externalLabels.cluster"),
        Arguments.of("prometheus.yaml", "url: http://central-store.monitoring.svc:9090", "url: central-store:9090",
            "remoteWrite url central-store:9090/api/v1/write is no http(s) URL with a host"),
        Arguments.of("prometheus.yaml", "verbs: [\"get\", \"list\", \"watch\"]", "verbs: [\"get\"]",
            "bound to no ClusterRole that may list and watch pods"),
        Arguments.of("Dockerfile", "COPY memwatch-agent.jar /memwatch/memwatch-agent.jar", "COPY memwatch-agent.jar /agent.jar",
            "the agent image's Dockerfile puts the jar at /agent.jar"));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("mistakes")
  void eachMistakeIsCaught(String file, String from, String to, String expected) throws IOException {
    Map<String, String> texts = new TreeMap<>(Manifests.texts(Manifests.DIRECTORY));
    String dockerfile = dockerfile();
    String original = file.equals("Dockerfile") ? dockerfile : texts.get(file);
    assertThat(original.split(java.util.regex.Pattern.quote(from), -1))
        .as("'%s' occurs exactly once in %s", from, file)
        .hasSize(2);
    String changed = original.replace(from, to);
    if (file.equals("Dockerfile")) {
      dockerfile = changed;
    } else {
      texts.put(file, changed);
    }

    List<String> problems = ManifestChecks.problems(Manifests.read(texts), dockerfile);

    assertThat(problems).anySatisfy(problem -> assertThat(problem).contains(expected));
  }
}
