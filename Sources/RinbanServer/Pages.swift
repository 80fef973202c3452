import Foundation
import Hummingbird
import RinbanCore

/// The office's pages. They are thin: every figure comes from the JSON API (the same
/// routes any client uses) or from the printable calendar of `rinban plan --html`, so the
/// browser never has a second path to the data. Scripts and styles are served by rinban
/// itself; nothing is loaded from elsewhere, so the pages work offline.
enum Pages {
    /// HTML-escapes free text (names, notes, file names): the printable calendar's rule.
    static func escape(_ text: String) -> String { RotaHTML.escape(text) }

    /// A page in the common frame: the signed-in person's name and sign-out in the header,
    /// and the session's CSRF token for the scripts' requests (``csrfGuard``).
    static func page(title: String, body: String, script: String? = nil, scripts: [String] = [],
                     status: HTTPResponse.Status = .ok) -> Response {
        let principal = Principal.current
        var nav = ""
        if let user = principal?.user {
            let links: [(String, String)] = switch user.role {
            case .office: [("/", "月の一覧"), ("/people", "人と記録")]
            case .leader: [("/", "月の一覧")]
            case .member: [("/me", "わたしの当番")]
            }
            nav = links.map { "<a href=\"\($0.0)\">\($0.1)</a>" }.joined(separator: " ")
                + " <span class=\"who\">\(escape(user.name))</span>"
                + (user.role == .member ? "" : " <button type=\"button\" id=\"signOut\">サインアウト</button>")
        }
        let all = ["frame.js"] + (script.map { [$0] } ?? []) + scripts
        let html = """
            <!doctype html>
            <html lang="ja"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(principal?.csrf.map { "<meta name=\"csrf-token\" content=\"\($0)\">" } ?? "")
            <title>\(escape(title)) — rinban</title>
            <link rel="stylesheet" href="/assets/app.css">
            </head><body>
            <header><a href="/" class="home">rinban 輪番</a><nav>\(nav)</nav></header>
            <main>\(body)</main>
            \(all.map { "<script src=\"/assets/\($0)\"></script>" }.joined(separator: "\n"))
            </body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The list of months and the upload form.
    static func index(months: [Store.Month], office: Bool) -> Response {
        var rows = ""
        for month in months {
            rows += "<tr><td><a href=\"/months/\(month.id)\">\(escape(month.label))</a></td><td>\(escape(month.association ?? ""))</td>"
                + "<td>\(escape(month.periodStart))〜\(escape(month.periodEnd))</td><td>\(escape(month.sourceName))</td></tr>\n"
        }
        let upload = """
            <h2>新しい月を読み込む</h2>
            <form id="upload">
              <p>入力ブック (.xlsx) または rinban/1 の JSON・YAML を選んでください。読み込む前にすべて確かめます。</p>
              <input type="file" id="file" name="file" accept=".xlsx,.json,.yaml,.yml" required>
              <button type="submit">読み込む</button>
            </form>
            <div id="problems" role="alert"></div>
            """
        if !office {
            rows = months.map { "<tr><td><a href=\"/months/\($0.id)/block\">\(escape($0.label))</a></td><td>\(escape($0.association ?? ""))</td><td>\(escape($0.periodStart))〜\(escape($0.periodEnd))</td></tr>" }
                .joined(separator: "\n")
            return page(title: "月の一覧", body: """
                <h1>月の一覧</h1>
                <table class="list"><thead><tr><th>月</th><th>医師会</th><th>期間</th></tr></thead><tbody>\(rows)</tbody></table>
                """)
        }
        let body = """
            <h1>月の一覧</h1>
            <table class="list"><thead><tr><th>月</th><th>医師会</th><th>期間</th><th>元のファイル</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"4\">まだありません。下から入力ブックを読み込んでください。</td></tr>" : rows)</tbody></table>
            \(upload)
            """
        return page(title: "月の一覧", body: body, script: "index.js")
    }

    /// A script's text (nil for an unknown name).
    static func script(_ name: String) -> String? {
        switch name {
        case "index.js": indexScript
        case "month.js": monthScript + collectionScript
        case "availability.js": availabilityScript
        case "me.js": meScript
        case "people.js": peopleScript
        case "block.js": blockScript
        case "frame.js": prelude
        default: nil
        }
    }

    static func asset(_ name: String) -> Response? {
        let type: String, text: String
        if let script = script(name) {
            (type, text) = ("text/javascript; charset=utf-8", script)
        } else if name == "app.css" {
            (type, text) = ("text/css; charset=utf-8", [css, monthCSS, peopleCSS, blockCSS].joined(separator: "\n"))
        } else {
            return nil
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static let css = """
        body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 0; color: #222; }
        header { background: #1f4e79; padding: 0.6em 1em; }
        header a { color: white; text-decoration: none; font-weight: bold; }
        main { padding: 1em; max-width: 1200px; }
        table.list { border-collapse: collapse; }
        table.list td, table.list th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
        table.list th { background: #ddebf7; }
        #problems, .error { color: #c00000; white-space: pre-wrap; }
        iframe#draft { width: 100%; height: 70vh; border: 1px solid #ccc; }
        form { margin: 0.6em 0; }
        label { margin-right: 1em; }
        #chart { background: #f7f9fc; border: 1px solid #ddd; }
        small { color: #666; font-weight: normal; }
        header { display: flex; justify-content: space-between; align-items: center; flex-wrap: wrap; gap: 0.5em; }
        header nav { color: white; display: flex; gap: 0.8em; align-items: center; flex-wrap: wrap; }
        header nav a { color: white; }
        header nav .who { opacity: 0.85; }
        """

    /// Forms never submit on Enter while an IME is composing Japanese text.
    static let imeGuard = """
        document.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' && (e.isComposing || e.keyCode === 229)) { e.preventDefault(); }
        }, true);
        """

    static let indexScript = """
        document.getElementById('upload').addEventListener('submit', async function (e) {
          e.preventDefault();
          const file = document.getElementById('file').files[0];
          const out = document.getElementById('problems');
          if (!file) { return; }
          out.textContent = '確かめています…';
          const type = file.name.toLowerCase().endsWith('.xlsx')
            ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            : (file.name.toLowerCase().match(/\\.ya?ml$/) ? 'application/yaml' : 'application/json');
          const response = await fetch('/api/months?name=' + encodeURIComponent(file.name),
            { method: 'POST', headers: { 'Content-Type': type }, body: file });
          const body = await response.json();
          if (response.status === 201) { location.href = '/months/' + body.id; return; }
          out.textContent = (body.problems || []).map(function (p) {
            return p.path + ': ' + (p.japanese ? p.japanese + ' / ' : '') + p.message;
          }).join('\\n') || (body.error && body.error.message) || '読み込めませんでした';
        });
        """
}
