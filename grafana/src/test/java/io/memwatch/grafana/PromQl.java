package io.memwatch.grafana;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Just enough PromQL scanning for the tests: finds the vector selectors of an expression (metric name and
 * the text between its braces), skipping functions, aggregations, grouping label lists, strings, range and
 * subquery brackets, numbers and durations. Syntax itself is checked by promtool, not here.
 */
final class PromQl {
  private static final Set<String> KEYWORDS = Set.of(
      "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
      "group_right", "inf", "nan", "atan2");
  private static final Set<String> LABEL_LIST_KEYWORDS = Set.of(
      "by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Set<String> AGGREGATIONS = Set.of(
      "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
      "quantile", "limitk", "limit_ratio");
  private static final Pattern GROUPING = Pattern.compile("(?i)(by|without)\\s*\\(.*", Pattern.DOTALL);

  /** A vector selector: {@code name} (null for a selector like {@code {__name__="x"}}) and its matchers. */
  record Selector(String name, String matchers) {}

  /**
   * A label list: {@code keyword} is {@code by} or {@code without} (an aggregation's grouping), or {@code on},
   * {@code ignoring}, {@code group_left} or {@code group_right} (a binary operation's matching), lower case.
   */
  record LabelList(String keyword, List<String> labels) {}

  private PromQl() {}

  static List<Selector> selectors(String expr) {
    List<Selector> found = new ArrayList<>();
    int n = expr.length();
    int i = 0;
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '[') {
        i = skipPast(expr, i, '[', ']');
      } else if (c == '{') {
        int end = skipPast(expr, i, '{', '}');
        found.add(new Selector(null, expr.substring(i + 1, end - 1)));
        i = end;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
        // a number or a duration (5m, 1e3, 0.9, 1h30m)
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.'
            || ((expr.charAt(i) == '+' || expr.charAt(i) == '-') && (expr.charAt(i - 1) == 'e' || expr.charAt(i - 1) == 'E')))) {
          i++;
        }
      } else if (isIdentStart(c)) {
        int start = i;
        while (i < n && isIdentPart(expr.charAt(i))) {
          i++;
        }
        String ident = expr.substring(start, i);
        int next = skipSpaces(expr, i);
        char following = next < n ? expr.charAt(next) : '\0';
        String lower = ident.toLowerCase(java.util.Locale.ROOT);
        if (LABEL_LIST_KEYWORDS.contains(lower)) {
          if (following == '(') {
            i = skipPast(expr, next, '(', ')');
          }
        } else if (following == '(' || KEYWORDS.contains(lower)
            || (AGGREGATIONS.contains(lower) && GROUPING.matcher(expr.substring(next)).matches())) {
          // a function or aggregation (its arguments are scanned next; a leading `by (...)` is skipped as a
          // label list), or an operator keyword
        } else if (following == '{') {
          int end = skipPast(expr, next, '{', '}');
          found.add(new Selector(ident, expr.substring(next + 1, end - 1)));
          i = end;
        } else {
          found.add(new Selector(ident, null));
        }
      } else {
        i++;
      }
    }
    return found;
  }

  /** Every label list of an expression, in order, those of nested aggregations and operations included. */
  static List<LabelList> labelLists(String expr) {
    List<LabelList> found = new ArrayList<>();
    int n = expr.length();
    int i = 0;
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '[') {
        i = skipPast(expr, i, '[', ']');
      } else if (c == '{') {
        i = skipPast(expr, i, '{', '}');
      } else if (isIdentStart(c)) {
        int start = i;
        while (i < n && isIdentPart(expr.charAt(i))) {
          i++;
        }
        String keyword = expr.substring(start, i).toLowerCase(java.util.Locale.ROOT);
        int next = skipSpaces(expr, i);
        if (LABEL_LIST_KEYWORDS.contains(keyword) && next < n && expr.charAt(next) == '(') {
          int end = skipPast(expr, next, '(', ')');
          List<String> labels = new ArrayList<>();
          for (String label : expr.substring(next + 1, end - 1).split(",")) {
            if (!label.isBlank()) {
              labels.add(label.strip());
            }
          }
          found.add(new LabelList(keyword, List.copyOf(labels)));
          i = end;
        }
      } else {
        i++;
      }
    }
    return found;
  }

  /**
   * Whether the result of an expression keeps its series' {@code instance} label: no grouping drops it (every
   * {@code by} list names it, no {@code without} list does). An aggregation with no grouping at all drops it too,
   * which this does not see; the dashboard has none.
   */
  static boolean keepsInstance(String expr) {
    for (LabelList list : labelLists(expr)) {
      boolean names = list.labels().contains("instance");
      if (("by".equals(list.keyword()) && !names) || ("without".equals(list.keyword()) && names)) {
        return false;
      }
    }
    return true;
  }

  static List<String> metricNames(String expr) {
    List<String> names = new ArrayList<>();
    for (Selector selector : selectors(expr)) {
      if (selector.name() != null) {
        names.add(selector.name());
      }
    }
    return names;
  }

  private static boolean isIdentStart(char c) {
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** From an opening quote, returns the index after the closing one. */
  private static int skipString(String s, int i) {
    char quote = s.charAt(i++);
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '\\' && quote != '`') {
        i++;
      } else if (c == quote) {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated string in: " + s);
  }

  /** From an opening bracket, returns the index after its matching close, ignoring brackets in strings. */
  private static int skipPast(String s, int i, char open, char close) {
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(s, i);
        continue;
      }
      if (c == open) {
        depth++;
      } else if (c == close && --depth == 0) {
        return i + 1;
      }
      i++;
    }
    throw new IllegalArgumentException("unbalanced '" + open + "' in: " + s);
  }
}
