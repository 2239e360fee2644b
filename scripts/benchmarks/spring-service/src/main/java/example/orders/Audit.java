package example.orders;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every order ever accepted, kept "for the audit" and never removed: the leak the issue describes. */
final class Audit {
  static final Map<String, OrdersController.Order> SEEN = new ConcurrentHashMap<>();

  private Audit() {}
}
