package io.memwatch.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.Prometheus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The manifests of {@code deploy/kubernetes}, every YAML document read into fabric8's model class for its
 * {@code apiVersion} and {@code kind}, strictly: a document of a kind without a model here, a duplicate key,
 * a quoted number or boolean, and any field the model does not know (fabric8 keeps those in a model's
 * {@code additionalProperties}, where they would pass unnoticed) are each reported.
 */
final class Manifests {
  static final Path DIRECTORY = Path.of("kubernetes");
  static final Path AGENT_DOCKERFILE = Path.of("agent-image", "Dockerfile");

  private static final Map<String, Class<? extends HasMetadata>> MODELS = Map.of(
      "v1/Secret", Secret.class,
      "v1/ServiceAccount", ServiceAccount.class,
      "apps/v1/Deployment", Deployment.class,
      "rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class,
      "rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class,
      "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class,
      "monitoring.coreos.com/v1/Prometheus", Prometheus.class);

  // The API server refuses "9404" for an integer and "true" for a boolean: so does this reader.
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .build();

  /** One document: where it came from ({@code file#n}, n from 1) and the model it was read into. */
  record Document(String source, HasMetadata resource) {}

  private final List<Document> documents;
  private final List<String> problems;

  private Manifests(List<Document> documents, List<String> problems) {
    this.documents = List.copyOf(documents);
    this.problems = List.copyOf(problems);
  }

  /** The texts of every {@code *.yaml} file in the directory, by file name. */
  static Map<String, String> texts(Path directory) {
    Map<String, String> texts = new TreeMap<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
        texts.put(file.getFileName().toString(), Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }

  static Manifests load() {
    return read(texts(DIRECTORY));
  }

  /** Reads the files' documents; what cannot be read, or is read only loosely, goes into {@link #problems()}. */
  static Manifests read(Map<String, String> texts) {
    List<Document> documents = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    texts.forEach((file, text) -> {
      int index = 0;
      try (MappingIterator<JsonNode> nodes = YAML.readerFor(JsonNode.class).readValues(text)) {
        while (nodes.hasNextValue()) {
          JsonNode node = nodes.nextValue();
          index++;
          String source = file + "#" + index;
          if (node == null || node.isMissingNode() || node.isNull()) {
            problems.add(source + ": an empty document");
            continue;
          }
          String type = node.path("apiVersion").asString("") + "/" + node.path("kind").asString("");
          Class<? extends HasMetadata> model = MODELS.get(type);
          if (model == null) {
            problems.add(source + ": no model for " + type + " (known: " + new TreeMap<>(MODELS).keySet() + ")");
            continue;
          }
          try {
            HasMetadata resource = YAML.treeToValue(node, model);
            String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
            String where = source + " " + node.path("kind").asString() + "/" + name;
            if (name == null || name.isBlank()) {
              problems.add(where + ": no metadata.name");
            }
            for (String unknown : unknownFields(resource)) {
              problems.add(where + ": unknown field " + unknown);
            }
            documents.add(new Document(where, resource));
          } catch (RuntimeException e) {
            problems.add(source + ": does not fit " + model.getSimpleName() + ": " + e.getMessage());
          }
        }
      } catch (RuntimeException e) {
        problems.add(file + "#" + (index + 1) + ": not YAML that can be read: " + e.getMessage());
      }
    });
    return new Manifests(documents, problems);
  }

  List<Document> documents() {
    return documents;
  }

  List<String> problems() {
    return problems;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return documents.stream().map(Document::resource).filter(type::isInstance).map(type::cast).toList();
  }

  /**
   * Every field, anywhere in the model's object graph, that the model did not know: the paths, such as
   * {@code spec.template.spec.containers[0].ports[1].containerPorts}, of the non-empty
   * {@code additionalProperties} maps and their keys.
   */
  static List<String> unknownFields(Object root) {
    List<String> found = new ArrayList<>();
    walk(root, "", found, Collections.newSetFromMap(new IdentityHashMap<>()));
    return found;
  }

  private static void walk(Object value, String path, List<String> found, Set<Object> seen) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
        || value instanceof Enum<?> || !seen.add(value)) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", found, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, entry) -> walk(entry, path + "[" + key + "]", found, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        field.setAccessible(true);
        Object fieldValue;
        try {
          fieldValue = field.get(value);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
        if (field.getName().equals("additionalProperties") && fieldValue instanceof Map<?, ?> extra) {
          for (Object key : extra.keySet()) {
            found.add((path.isEmpty() ? "" : path + ".") + key);
          }
        } else {
          walk(fieldValue, (path.isEmpty() ? "" : path + ".") + field.getName(), found, seen);
        }
      }
    }
  }
}
