import email as stdlib_email
from email.header import decode_header, make_header

from coordinator.notifications import email


def test_chinese_is_the_default_and_english_on_request():
    context = {
        "person_name": "王芳",
        "team_name": "南京西路志愿者服务队",
        "role": "member",
        "role_zh": "成员",
        "lead_name": "李强",
    }
    zh = email.render("team_member_added", "zh", context)
    en = email.render("team_member_added", "en", context)
    assert zh.subject == "您已加入南京西路志愿者服务队"
    assert "角色：成员" in zh.text and "李强" in zh.html
    assert en.subject == "You joined 南京西路志愿者服务队"
    assert "as member" in en.text


def test_html_part_escapes_names():
    context = {
        "person_name": "<script>x</script>",
        "team_name": "T&T",
        "role": "member",
        "role_zh": "成员",
        "lead_name": None,
    }
    rendered = email.render("team_member_added", "zh", context)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "T&amp;T" in rendered.html


def test_message_id_is_stable_per_event_and_recipient():
    a = email.message_id("e1", "a@example.test")
    assert a == email.message_id("e1", "a@example.test")
    assert a != email.message_id("e1", "b@example.test")
    assert a != email.message_id("e2", "a@example.test")


def test_message_has_text_and_html_parts_and_language(tmp_path):
    rendered = email.Rendered(subject="主题", text="正文", html="<p>正文</p>")
    message = email.build_message(
        sender="福民 <noreply@fumin.test>",
        to="a@example.test",
        rendered=rendered,
        msg_id="<x@fumin>",
        language="zh",
    )
    assert message["Content-Language"] == "zh-CN"
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "text/html"]
    assert message.get_payload()[0].get_content_charset() == "utf-8"
    parsed = stdlib_email.message_from_bytes(message.as_bytes())
    assert str(make_header(decode_header(parsed["Subject"]))) == "主题"
    assert str(make_header(decode_header(parsed["From"]))) == "福民 <noreply@fumin.test>"
    path = email.write_eml(tmp_path, message)
    assert path.read_bytes() == message.as_bytes()
    assert email.write_eml(tmp_path, message) == path  # the same message overwrites itself


def test_smtp_url_options():
    target = email.SmtpTarget.from_url("smtp://user%40x:p%3Ass@mail.example:587?starttls=true")
    assert (target.hostname, target.port, target.username, target.password) == (
        "mail.example",
        587,
        "user@x",
        "p:ss",
    )
    assert target.start_tls is True and target.use_tls is False
    implicit = email.SmtpTarget.from_url("smtps://mail.example")
    assert implicit.port == 465 and implicit.use_tls is True and implicit.start_tls is False


def test_development_mail_logs_the_links_to_click(tmp_path, capsys):
    from coordinator.platform.logging import configure_logging

    configure_logging("info")  # other tests leave logging at warning
    rendered = email.Rendered(
        subject="确认走访", text="请点击 https://fumin.test/v/abc123 确认。", html="<p>x</p>"
    )
    message = email.build_message(
        sender="noreply@fumin.test",
        to="a@example.test",
        rendered=rendered,
        msg_id="<y@fumin>",
        language="zh",
    )
    email.write_eml(tmp_path, message)
    captured = capsys.readouterr()
    assert "https://fumin.test/v/abc123" in captured.out + captured.err
