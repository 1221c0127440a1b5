// Answers Node gives before a request reaches fastify (a malformed request, headers too large, a
// request too slow, an Expect the service cannot meet), in the catalogue's shape like every other error.
import { STATUS_CODES, maxHeaderSize, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { App } from "./context.js";
import { HTTP_ERRORS, type ErrorCode } from "./errors.js";
import type { Protections } from "./server-options.js";

type ClientError = Error & { code?: string; reason?: string };

/** fastify's clientErrorHandler: answers on the raw socket, then closes it, as Node itself would. */
export function clientErrorHandler(protections: Protections): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    // Never write into an answer already on its way (a later pipelined request can be the malformed one).
    const answering = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !answering?.headersSent) {
      const [code, message] = describeClientError(error, protections);
      const body = JSON.stringify({ error: code, message });
      const status = HTTP_ERRORS[code].status;
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function describeClientError(error: ClientError, { headersTimeoutMs, requestTimeoutMs }: Protections): [ErrorCode, string] {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return ["request_timeout", `the request did not arrive in time: headers within ${headersTimeoutMs} ms, all of it within ${requestTimeoutMs} ms`];
    case "HPE_HEADER_OVERFLOW":
      return ["headers_too_large", `the request line and headers are larger than ${maxHeaderSize} bytes`];
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return ["body_too_large", "the body's chunk extensions are too large"];
    default:
      return ["bad_request", `the request is not valid HTTP: ${error.reason ?? error.code ?? "unreadable"}`];
  }
}

/** Node answers an Expect other than 100-continue itself, with an empty 417, unless asked to leave it to us. */
export function answerExpectations(app: App): void {
  app.server.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify({
      error: "expectation_failed",
      message: `Expect ${JSON.stringify(String(request.headers.expect).slice(0, 40))} cannot be met: only 100-continue is`,
    });
    response.writeHead(HTTP_ERRORS.expectation_failed.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    });
    response.end(body);
  });
}
