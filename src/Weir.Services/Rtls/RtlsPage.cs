namespace Weir.Services.Rtls;

/// <summary>The live map: anchors and tags on a canvas, a table of tags and anchor status, fed by /rtls/events.</summary>
internal static class RtlsPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Weir RTLS</title>
        <style>
          body{font-family:system-ui,sans-serif;margin:1.5rem;display:flex;gap:2rem;flex-wrap:wrap}
          canvas{border:1px solid #ccc;background:#fafafa}
          table{border-collapse:collapse;font-size:.9rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:right}
          th:first-child,td:first-child{text-align:left}.dead{color:#b00;font-weight:bold}.detached{color:#06c}
        </style></head>
        <body>
        <div><h1>RTLS live map</h1><canvas id="map" width="640" height="640"></canvas><p id="status">connecting…</p></div>
        <div><h2>Tags</h2><table><thead><tr><th>tag</th><th>x</th><th>y</th><th>flags</th></tr></thead><tbody id="tags"></tbody></table>
        <h2>Anchors</h2><table><thead><tr><th>anchor</th><th>x</th><th>y</th><th>status</th></tr></thead><tbody id="anchors"></tbody></table></div>
        <script>
        const anchors = {}, alive = {}, tags = {};
        const canvas = document.getElementById('map'), ctx = canvas.getContext('2d');
        function bounds() {
          const pts = Object.values(anchors).concat(Object.values(tags).map(t => [t.x, t.y]));
          if (pts.length === 0) return {x0: 0, y0: 0, s: 100};
          let x0 = Math.min(...pts.map(p => p[0])), x1 = Math.max(...pts.map(p => p[0]));
          let y0 = Math.min(...pts.map(p => p[1])), y1 = Math.max(...pts.map(p => p[1]));
          const span = Math.max(x1 - x0, y1 - y0, 1);
          return {x0: x0 - span * 0.1, y0: y0 - span * 0.1, s: canvas.width / (span * 1.2)};
        }
        function draw() {
          const b = bounds(), X = x => (x - b.x0) * b.s, Y = y => canvas.height - (y - b.y0) * b.s;
          ctx.clearRect(0, 0, canvas.width, canvas.height);
          for (const [id, [x, y]] of Object.entries(anchors)) {
            ctx.fillStyle = alive[id] === false ? '#b00' : '#333';
            ctx.fillRect(X(x) - 5, Y(y) - 5, 10, 10); ctx.fillText(id, X(x) + 7, Y(y) - 7);
          }
          for (const [id, t] of Object.entries(tags)) {
            ctx.fillStyle = t.detached ? '#06c' : '#2a2';
            ctx.beginPath(); ctx.arc(X(t.x), Y(t.y), 5, 0, 2 * Math.PI); ctx.fill();
            ctx.fillStyle = '#555'; ctx.fillText(id.slice(-4), X(t.x) + 6, Y(t.y) + 12);
          }
        }
        function row(id, cells, cls) {
          let tr = document.getElementById('row-' + id);
          if (!tr) { tr = document.createElement('tr'); tr.id = 'row-' + id; }
          tr.className = cls || ''; tr.innerHTML = cells.map(c => '<td>' + c + '</td>').join('');
          return tr;
        }
        function tables() {
          const tb = document.getElementById('tags');
          for (const id of Object.keys(tags).sort()) {
            const t = tags[id];
            tb.appendChild(row(id, [id, t.x.toFixed(2), t.y.toFixed(2), (t.detached ? 'detached ' : '') + (t.battery_low ? 'battery low' : '')], t.detached ? 'detached' : ''));
          }
          const ab = document.getElementById('anchors');
          for (const id of Object.keys(anchors).sort()) {
            ab.appendChild(row('a-' + id, [id, anchors[id][0], anchors[id][1], alive[id] === false ? 'dead' : 'alive'], alive[id] === false ? 'dead' : ''));
          }
        }
        const source = new EventSource('/rtls/events' + location.search);
        source.onopen = () => document.getElementById('status').textContent = 'live';
        source.onerror = () => document.getElementById('status').textContent = 'reconnecting…';
        source.addEventListener('anchors', e => { Object.assign(anchors, JSON.parse(e.data)); draw(); tables(); });
        source.addEventListener('position', e => { const p = JSON.parse(e.data); if (p.tagid !== 'err') { tags[p.tagid] = p; draw(); tables(); } });
        source.addEventListener('alive', e => { const a = JSON.parse(e.data); alive[a.anchorid] = a.alive; draw(); tables(); });
        </script></body></html>
        """;
}
