package io.memwatch.collector.export;

import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Enumeration;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** One scrape, as the Prometheus library's scrape handler sees an HTTP exchange, on a Jetty request. */
final class ScrapeExchange implements PrometheusHttpExchange {
  // The scrape handler closes the exchange when it is done, also after it failed: the response's
  // end is written by finish(), only once the scrape succeeded.
  private final Request request;
  private final Response response;
  private OutputStream body;

  ScrapeExchange(Request request, Response response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public PrometheusHttpRequest getRequest() {
    return new PrometheusHttpRequest() {
      @Override
      public String getQueryString() {
        return request.getHttpURI().getQuery();
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        return Collections.enumeration(request.getHeaders().getValuesList(name));
      }

      @Override
      public String getMethod() {
        return request.getMethod();
      }

      @Override
      public String getRequestPath() {
        return Request.getPathInContext(request);
      }
    };
  }

  @Override
  public PrometheusHttpResponse getResponse() {
    return new PrometheusHttpResponse() {
      @Override
      public void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
      }

      @Override
      public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
        response.setStatus(statusCode);
        if (contentLength > 0) {
          response.getHeaders().put("Content-Length", String.valueOf(contentLength));
        }
        body = Content.Sink.asOutputStream(response);
        return body;
      }
    };
  }

  @Override
  public void handleException(IOException e) throws IOException {
    throw e;
  }

  @Override
  public void handleException(RuntimeException e) {
    throw e;
  }

  @Override
  public void close() {}

  /** Ends the response: the last write. */
  void finish() throws IOException {
    if (body != null) {
      body.close();
    }
  }
}
