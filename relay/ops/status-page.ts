/**
 * A minimal read-only status page at `/` of the operations address (the dashboard proper comes later).
 * It asks for the bearer token, keeps it in memory only, and reads `/api/status` and `/api/alerts`.
 */
export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Relay status</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style></head>
<body><h1>Relay status</h1>
<form id="f"><label>Operations token <input id="t" type="password" autocomplete="off"></label> <button>Show</button></form>
<h2>Status</h2><pre id="s" data-testid="status">—</pre><h2>Recent alerts</h2><pre id="a" data-testid="alerts">—</pre>
<script>
const f=document.getElementById('f');
f.addEventListener('submit',async(e)=>{e.preventDefault();const h={authorization:'Bearer '+document.getElementById('t').value};
const s=await fetch('/api/status',{headers:h});document.getElementById('s').textContent=JSON.stringify(await s.json(),null,2);
const a=await fetch('/api/alerts?limit=20',{headers:h});document.getElementById('a').textContent=JSON.stringify(await a.json(),null,2);});
</script></body></html>`;
