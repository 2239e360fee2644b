package example.orders;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * GET /orders/{n} builds n orders (Strings made by the JDK, records made here) and answers them as
 * JSON through Jackson; GET /keep/{id} keeps a String in a map that is never emptied, a small leak;
 * POST /orders keeps the order Jackson made from the request body ({@link Audit}).
 */
@RestController
public class OrdersController {
  public record Line(String sku, int quantity, double price) {}

  public record Order(String id, List<Line> lines, String note) {}

  private final Map<String, String> kept = new ConcurrentHashMap<>();

  @GetMapping("/orders/{n}")
  public List<Order> orders(@PathVariable int n) {
    List<Order> orders = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Line> lines = new ArrayList<>();
      for (int j = 0; j < 5; j++) {
        lines.add(new Line("sku-" + (i * 7 + j) % 113, j + 1, (i + j) * 0.25));
      }
      orders.add(new Order(String.format("order-%06d", i), lines, "note ".repeat(20) + i));
    }
    return orders;
  }

  /** Accepts an order made by Jackson from the request body, and keeps it for good ({@link Audit}). */
  @PostMapping("/orders")
  public int accept(@RequestBody Order order) {
    Audit.SEEN.put(order.id(), order);
    return Audit.SEEN.size();
  }

  @GetMapping("/keep/{id}")
  public int keep(@PathVariable String id) {
    kept.put(id, "kept ".repeat(200) + id);
    return kept.size();
  }
}
