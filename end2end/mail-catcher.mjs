// The end-to-end tests' mail server: a real SMTP server on loopback that the portal delivers to
// (SMTP_URL), keeping every message it accepts, and a small HTTP API on which the tests read them.
// Playwright starts it as a web server before the portal (playwright.config.ts).
//
//   GET /health              200 once both ports listen
//   GET /messages?to=ADDRESS every message for ADDRESS, oldest first: {to, subject, text, html}
import { createServer } from "node:http";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2525);
const httpPort = Number(process.env.E2E_MAIL_PORT ?? 3101);
const messages = [];

const smtp = new SMTPServer({
  // Loopback only, like a developer's mail catcher: no TLS, no login.
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        for (const rcpt of session.envelope.rcptTo) {
          messages.push({
            to: rcpt.address.toLowerCase(),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
          });
        }
        callback();
      })
      .catch(callback);
  },
});

const http = createServer((request, response) => {
  const url = new URL(request.url ?? "/", `http://127.0.0.1:${httpPort}`);
  if (url.pathname === "/health") {
    response.end("ok");
  } else if (url.pathname === "/messages") {
    const to = (url.searchParams.get("to") ?? "").toLowerCase();
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(messages.filter((m) => m.to === to)));
  } else {
    response.statusCode = 404;
    response.end("not found");
  }
});

smtp.listen(smtpPort, "127.0.0.1", () => {
  http.listen(httpPort, "127.0.0.1", () => {
    console.log(`mail catcher: SMTP on 127.0.0.1:${smtpPort}, messages on http://127.0.0.1:${httpPort}`);
  });
});
