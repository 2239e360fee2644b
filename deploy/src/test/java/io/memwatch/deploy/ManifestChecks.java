package io.memwatch.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.openshift.api.model.monitoring.v1.BasicAuth;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.Prometheus;
import io.fabric8.openshift.api.model.monitoring.v1.RemoteWriteSpec;
import io.memwatch.agent.options.Options;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * What must agree across the manifests (and the agent image's Dockerfile) for memwatch to be loaded, served and
 * scraped in a pod, each mistake one problem in words: the checks that a cluster would only answer with a target
 * that is down, a 401, or an agent that never loaded.
 */
final class ManifestChecks {
  private final Manifests manifests;
  private final String dockerfile;
  private final List<String> problems = new ArrayList<>();

  private ManifestChecks(Manifests manifests, String dockerfile) {
    this.manifests = manifests;
    this.dockerfile = dockerfile;
  }

  /** Every problem found, those of reading the manifests first; empty when everything agrees. */
  static List<String> problems(Manifests manifests, String dockerfile) {
    ManifestChecks checks = new ManifestChecks(manifests, dockerfile);
    checks.problems.addAll(manifests.problems());
    checks.run();
    return List.copyOf(checks.problems);
  }

  private void run() {
    List<Deployment> withAgent = new ArrayList<>();
    for (Deployment deployment : manifests.all(Deployment.class)) {
      String where = "Deployment/" + deployment.getMetadata().getName();
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      Map<String, String> podLabels = labels(deployment.getSpec().getTemplate());
      if (!matches(deployment.getSpec().getSelector(), podLabels)) {
        problems.add(where + ": its selector does not match its pod template's labels " + podLabels);
      }
      for (Container container : pod.getContainers()) {
        Optional<AgentCommandLine> agent;
        try {
          agent = AgentCommandLine.of(container);
        } catch (IllegalArgumentException e) {
          problems.add(where + ", container " + container.getName() + ": " + e.getMessage());
          continue;
        }
        if (agent.isPresent()) {
          withAgent.add(deployment);
          checkAgentContainer(where + ", container " + container.getName(), deployment, pod, container, agent.get());
        }
      }
    }
    if (withAgent.isEmpty()) {
      problems.add("no Deployment has a container that loads memwatch by JDK_JAVA_OPTIONS or JAVA_TOOL_OPTIONS");
    }
    for (PodMonitor monitor : manifests.all(PodMonitor.class)) {
      checkPodMonitorTargets(monitor, withAgent);
    }
    checkPrometheus();
  }

  private void checkAgentContainer(String where, Deployment deployment, PodSpec pod, Container app, AgentCommandLine agent) {
    if (!agent.variable().equals("JDK_JAVA_OPTIONS")) {
      problems.add(where + ": loads memwatch by " + agent.variable() + ", which every JVM of the container reads "
          + "(jcmd, jstack and jps too); JDK_JAVA_OPTIONS reaches the java launcher only");
    }
    Map<String, String> memwatchEnv = new TreeMap<>();
    if (app.getEnv() != null) {
      app.getEnv().stream()
          .filter(e -> e.getName().startsWith("MEMWATCH_") && e.getValue() != null)
          .forEach(e -> memwatchEnv.put(e.getName(), e.getValue()));
    }
    List<String> warnings = new ArrayList<>();
    Options options = Options.parse(agent.agentArgs(), Map.of(), memwatchEnv, warnings::add);
    for (String warning : warnings) {
      problems.add(where + ": memwatch would say at start: " + warning);
    }
    checkAgentJar(where, pod, app, agent.jarPath());
    checkPort(where, app, options);
    checkExposure(where, options);
    if (options.given(Options.BASIC_AUTH_PASSWORD_FILE)) {
      checkBasicAuth(where, deployment, pod, app, options);
    }
    Object memoryLimit = app.getResources() == null || app.getResources().getLimits() == null
        ? null : app.getResources().getLimits().get("memory");
    if (memoryLimit == null) {
      problems.add(where + ": no memory limit: memwatch_memory_limit_bytes, and the alert on RSS near it, need one");
    }
  }

  /** The jar's path lies in a volume the init container fills by copying the image's jar to the same place. */
  private void checkAgentJar(String where, PodSpec pod, Container app, String jarPath) {
    Optional<Mounted> mounted = mountOf(app, jarPath);
    if (mounted.isEmpty()) {
      problems.add(where + ": the agent's jar " + jarPath + " lies in no volume mounted in the container");
      return;
    }
    Volume volume = volume(pod, mounted.get().mount().getName());
    if (volume == null || volume.getEmptyDir() == null) {
      problems.add(where + ": the agent's jar lies in volume " + mounted.get().mount().getName()
          + ", which is not an emptyDir of the pod");
      return;
    }
    List<String> copies = new ArrayList<>();
    for (Container init : Optional.ofNullable(pod.getInitContainers()).orElse(List.of())) {
      for (VolumeMount mount : Optional.ofNullable(init.getVolumeMounts()).orElse(List.of())) {
        if (!mount.getName().equals(volume.getName())) {
          continue;
        }
        String expected = join(mount.getMountPath(), mounted.get().relative());
        List<String> command = new ArrayList<>(Optional.ofNullable(init.getCommand()).orElse(List.of()));
        command.addAll(Optional.ofNullable(init.getArgs()).orElse(List.of()));
        copies.add("init container " + init.getName() + " runs " + command);
        if (command.size() == 3 && command.get(0).equals("cp") && command.get(2).equals(expected)) {
          checkAgentImage(where + ", init container " + init.getName(), command);
          return;
        }
      }
    }
    problems.add(where + ": no init container copies the agent's jar to " + mounted.get().relative()
        + " of volume " + volume.getName() + (copies.isEmpty() ? " (none mounts it)" : ": " + copies));
  }

  /** The init container copies the file the image's Dockerfile put there, with the image's own command. */
  private void checkAgentImage(String where, List<String> command) {
    String copiedTo = null;
    List<String> cmd = null;
    for (String line : dockerfile.lines().map(String::strip).toList()) {
      if (line.startsWith("COPY ")) {
        String[] words = line.split("\\s+");
        copiedTo = words[words.length - 1];
      } else if (line.startsWith("CMD ")) {
        cmd = List.of(JsonMapper.shared().readValue(line.substring(4), String[].class));
      }
    }
    if (!command.get(1).equals(copiedTo)) {
      problems.add(where + ": copies " + command.get(1) + ", but the agent image's Dockerfile puts the jar at " + copiedTo);
    }
    if (!command.equals(cmd)) {
      problems.add(where + ": runs " + command + ", the agent image's Dockerfile " + cmd);
    }
  }

  private void checkPort(String where, Container app, Options options) {
    boolean declared = Optional.ofNullable(app.getPorts()).orElse(List.of()).stream()
        .anyMatch(p -> Objects.equals(p.getContainerPort(), options.port()) && p.getName() != null);
    if (!declared) {
      problems.add(where + ": memwatch serves on port " + options.port() + ", which is no named port of the container");
    }
  }

  private void checkExposure(String where, Options options) {
    boolean loopback;
    try {
      loopback = InetAddress.getByName(options.host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    boolean protectedBy = options.given(Options.BASIC_AUTH_USER) || options.given(Options.TLS_KEY_STORE);
    if (!loopback && !protectedBy) {
      problems.add(where + ": host=" + options.host() + " serves the metrics beyond loopback without basic auth or TLS");
    }
  }

  /**
   * The password file lies in a Secret's volume; each PodMonitor endpoint on the agent's port takes its password
   * from that Secret and key, and its username from a key that holds the agent's basicAuthUser; the container's
   * user can read the file.
   */
  private void checkBasicAuth(String where, Deployment deployment, PodSpec pod, Container app, Options options) {
    String file = options.basicAuthPasswordFile();
    Optional<Mounted> mounted = mountOf(app, file);
    Volume volume = mounted.map(m -> volume(pod, m.mount().getName())).orElse(null);
    if (volume == null || volume.getSecret() == null) {
      problems.add(where + ": the password file " + file + " lies in no Secret volume mounted in the container");
      return;
    }
    SecretVolumeSource secret = volume.getSecret();
    String relative = mounted.get().relative();
    String key = null;
    Integer mode = secret.getDefaultMode();
    if (secret.getItems() == null || secret.getItems().isEmpty()) {
      key = relative;
    } else {
      for (KeyToPath item : secret.getItems()) {
        if (item.getPath().equals(relative)) {
          key = item.getKey();
          mode = item.getMode() != null ? item.getMode() : mode;
        }
      }
    }
    if (key == null) {
      problems.add(where + ": the Secret volume " + volume.getName() + " has no item at " + relative);
      return;
    }
    int fileMode = mode == null ? 0644 : mode;
    boolean othersRead = (fileMode & 04) != 0;
    boolean groupRead = (fileMode & 040) != 0 && pod.getSecurityContext() != null && pod.getSecurityContext().getFsGroup() != null;
    if (!othersRead && !groupRead) {
      problems.add(where + ": the password file has mode 0" + Integer.toOctalString(fileMode)
          + ", which the container's user cannot read without the pod's fsGroup");
    }
    SecretKey password = new SecretKey(secret.getSecretName(), key);
    String passwordValue = secretValue(secret.getSecretName(), key);
    if (passwordValue == null || passwordValue.isBlank()) {
      problems.add(where + ": no Secret " + secret.getSecretName() + " with a key " + key + " among the manifests");
    }
    for (PodMonitor monitor : monitorsOf(deployment)) {
      for (PodMetricsEndpoint endpoint : monitor.getSpec().getPodMetricsEndpoints()) {
        String endpointWhere = "PodMonitor/" + monitor.getMetadata().getName() + ", endpoint " + endpoint.getPort();
        BasicAuth auth = endpoint.getBasicAuth();
        if (auth == null || auth.getPassword() == null || auth.getUsername() == null) {
          problems.add(endpointWhere + ": no basicAuth, but memwatch in " + where + " asks for it");
          continue;
        }
        if (!SecretKey.of(auth.getPassword()).equals(password)) {
          problems.add(endpointWhere + ": basicAuth.password is " + SecretKey.of(auth.getPassword())
              + ", the agent reads its password from " + password);
        }
        String user = secretValue(auth.getUsername().getName(), auth.getUsername().getKey());
        if (!options.basicAuthUser().equals(user)) {
          problems.add(endpointWhere + ": basicAuth.username " + SecretKey.of(auth.getUsername()) + " holds " + user
              + ", the agent asks for " + options.basicAuthUser());
        }
      }
    }
  }

  /** Each PodMonitor endpoint names a port memwatch serves on, in pods of a Deployment with the agent. */
  private void checkPodMonitorTargets(PodMonitor monitor, List<Deployment> withAgent) {
    String where = "PodMonitor/" + monitor.getMetadata().getName();
    List<Deployment> selected = withAgent.stream()
        .filter(d -> matches(monitor.getSpec().getSelector(), labels(d.getSpec().getTemplate())))
        .toList();
    if (selected.isEmpty()) {
      problems.add(where + ": its selector " + describe(monitor.getSpec().getSelector())
          + " matches the pods of no Deployment that loads memwatch");
      return;
    }
    List<PodMetricsEndpoint> endpoints = Optional.ofNullable(monitor.getSpec().getPodMetricsEndpoints()).orElse(List.of());
    if (endpoints.isEmpty()) {
      problems.add(where + ": no podMetricsEndpoints");
    }
    for (PodMetricsEndpoint endpoint : endpoints) {
      if (!"/metrics".equals(endpoint.getPath())) {
        problems.add(where + ": path " + endpoint.getPath() + ", memwatch serves /metrics");
      }
      if (endpoint.getInterval() == null) {
        problems.add(where + ": no interval for endpoint " + endpoint.getPort());
      }
      for (Deployment deployment : selected) {
        for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
          Optional<AgentCommandLine> agent = AgentCommandLine.of(container);
          if (agent.isEmpty()) {
            continue;
          }
          int agentPort = Options.parse(agent.get().agentArgs(), Map.of(), Map.of(), w -> {}).port();
          Optional<ContainerPort> port = Optional.ofNullable(container.getPorts()).orElse(List.of()).stream()
              .filter(p -> Objects.equals(p.getName(), endpoint.getPort()))
              .findFirst();
          if (port.isEmpty()) {
            problems.add(where + ": port " + endpoint.getPort() + " is no port name of container "
                + container.getName() + " of Deployment/" + deployment.getMetadata().getName());
          } else if (!Objects.equals(port.get().getContainerPort(), agentPort)) {
            problems.add(where + ": port " + endpoint.getPort() + " is " + port.get().getContainerPort()
                + " in container " + container.getName() + ", but memwatch serves on port=" + agentPort);
          }
        }
      }
    }
  }

  /** Each Prometheus finds the PodMonitors, may list pods, labels its series with a cluster, and writes remotely. */
  private void checkPrometheus() {
    List<Prometheus> servers = manifests.all(Prometheus.class);
    if (servers.isEmpty()) {
      problems.add("no Prometheus resource");
    }
    for (Prometheus prometheus : servers) {
      String where = "Prometheus/" + prometheus.getMetadata().getName();
      var spec = prometheus.getSpec();
      for (PodMonitor monitor : manifests.all(PodMonitor.class)) {
        if (!matches(spec.getPodMonitorSelector(), Optional.ofNullable(monitor.getMetadata().getLabels()).orElse(Map.of()))) {
          problems.add(where + ": its podMonitorSelector " + describe(spec.getPodMonitorSelector())
              + " does not select PodMonitor/" + monitor.getMetadata().getName());
        }
        String monitorNamespace = monitor.getMetadata().getNamespace();
        if (!Objects.equals(monitorNamespace, prometheus.getMetadata().getNamespace())
            && spec.getPodMonitorNamespaceSelector() == null) {
          problems.add(where + ": without podMonitorNamespaceSelector it sees only PodMonitors of its own namespace "
              + prometheus.getMetadata().getNamespace() + ", not PodMonitor/" + monitor.getMetadata().getName()
              + " (namespace " + (monitorNamespace == null ? "the application's" : monitorNamespace) + ")");
        }
      }
      String cluster = spec.getExternalLabels() == null ? null : spec.getExternalLabels().get("cluster");
      if (cluster == null || cluster.isBlank()) {
        problems.add(where + ": no externalLabels.cluster, so the central store cannot tell the clusters apart");
      }
      List<RemoteWriteSpec> remoteWrite = Optional.ofNullable(spec.getRemoteWrite()).orElse(List.of());
      if (remoteWrite.isEmpty()) {
        problems.add(where + ": no remoteWrite to a central store");
      }
      for (RemoteWriteSpec write : remoteWrite) {
        URI url = write.getUrl() == null ? null : URI.create(write.getUrl());
        if (url == null || url.getHost() == null || !List.of("http", "https").contains(url.getScheme())) {
          problems.add(where + ": remoteWrite url " + write.getUrl() + " is no http(s) URL with a host");
        }
      }
      checkServiceAccount(where, prometheus);
    }
  }

  private void checkServiceAccount(String where, Prometheus prometheus) {
    String account = prometheus.getSpec().getServiceAccountName();
    String namespace = prometheus.getMetadata().getNamespace();
    boolean exists = manifests.all(ServiceAccount.class).stream()
        .anyMatch(a -> a.getMetadata().getName().equals(account) && Objects.equals(a.getMetadata().getNamespace(), namespace));
    if (!exists) {
      problems.add(where + ": serviceAccountName " + account + " is no ServiceAccount of namespace " + namespace + " here");
      return;
    }
    boolean mayWatchPods = manifests.all(ClusterRoleBinding.class).stream()
        .filter(b -> b.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
            && account.equals(s.getName()) && Objects.equals(namespace, s.getNamespace())))
        .filter(b -> "ClusterRole".equals(b.getRoleRef().getKind()))
        .flatMap(b -> manifests.all(ClusterRole.class).stream()
            .filter(r -> r.getMetadata().getName().equals(b.getRoleRef().getName())))
        .flatMap(r -> r.getRules().stream())
        .anyMatch(ManifestChecks::listsAndWatchesPods);
    if (!mayWatchPods) {
      problems.add(where + ": its ServiceAccount " + account + " is bound to no ClusterRole that may list and watch pods");
    }
  }

  private static boolean listsAndWatchesPods(PolicyRule rule) {
    return rule.getApiGroups().contains("") && rule.getResources().contains("pods")
        && rule.getVerbs().containsAll(List.of("list", "watch"));
  }

  private List<PodMonitor> monitorsOf(Deployment deployment) {
    return manifests.all(PodMonitor.class).stream()
        .filter(m -> matches(m.getSpec().getSelector(), labels(deployment.getSpec().getTemplate())))
        .toList();
  }

  private String secretValue(String name, String key) {
    for (Secret secret : manifests.all(Secret.class)) {
      if (!secret.getMetadata().getName().equals(name)) {
        continue;
      }
      if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
        return secret.getStringData().get(key);
      }
      if (secret.getData() != null && secret.getData().containsKey(key)) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The password of the Secret the agent reads, as the manifests give it. */
  static String secretValue(Manifests manifests, String name, String key) {
    return new ManifestChecks(manifests, "").secretValue(name, key);
  }

  /** A mount of the container that holds the path, and the path relative to the mount. */
  record Mounted(VolumeMount mount, String relative) {}

  static Optional<Mounted> mountOf(Container container, String path) {
    Path target = Path.of(path).normalize();
    for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      Path base = Path.of(mount.getMountPath()).normalize();
      if (target.startsWith(base) && !target.equals(base)) {
        String relative = base.relativize(target).toString();
        return Optional.of(new Mounted(mount, mount.getSubPath() == null || mount.getSubPath().isEmpty()
            ? relative : mount.getSubPath() + "/" + relative));
      }
    }
    return Optional.empty();
  }

  private static Volume volume(PodSpec pod, String name) {
    return Optional.ofNullable(pod.getVolumes()).orElse(List.of()).stream()
        .filter(v -> v.getName().equals(name)).findFirst().orElse(null);
  }

  private static String join(String directory, String relative) {
    return Path.of(directory).resolve(relative).normalize().toString();
  }

  private static Map<String, String> labels(io.fabric8.kubernetes.api.model.PodTemplateSpec template) {
    return template.getMetadata() == null || template.getMetadata().getLabels() == null
        ? Map.of() : template.getMetadata().getLabels();
  }

  /** Kubernetes' label selector: no selector matches nothing, an empty one everything. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
        if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    for (LabelSelectorRequirement requirement : Optional.ofNullable(selector.getMatchExpressions()).orElse(List.of())) {
      String value = labels.get(requirement.getKey());
      List<String> values = Optional.ofNullable(requirement.getValues()).orElse(List.of());
      boolean ok = switch (requirement.getOperator()) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A key of a Secret, as a PodMonitor's basicAuth names it or a Secret volume holds it. */
  record SecretKey(String name, String key) {
    static SecretKey of(SecretKeySelector selector) {
      return new SecretKey(selector.getName(), selector.getKey());
    }

    @Override
    public String toString() {
      return "Secret " + name + " key " + key;
    }
  }

  private static String describe(LabelSelector selector) {
    if (selector == null) {
      return "(none)";
    }
    return "matchLabels " + selector.getMatchLabels()
        + (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()
            ? "" : " matchExpressions " + selector.getMatchExpressions());
  }
}
