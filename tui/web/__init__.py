"""The console in a browser: `studiosync web` (textual-serve) and the per-session console processes.

server.py / sessions.py run in the web server process (aiohttp, no Textual app); session.py, app.py and
context.py run in each browser session's own console process. They meet only through the session's
environment (client address, idle timeout, callback URL) and textual-serve's stdin/stdout protocol.
"""
