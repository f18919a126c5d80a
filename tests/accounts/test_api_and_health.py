from tillit.accounts.services import api_token_create


def test_health_answers_without_login_and_without_personal_data(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_schema_is_published(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Tillit API"
    assert "/api/me" in schema["paths"]


def test_api_refuses_without_credentials(client, db):
    assert client.get("/api/me").status_code == 401


def test_api_token_authenticates_an_integration(client, personas):
    _token, key = api_token_create(user=personas["controller"], name="Raindance-export")
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "carl"
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer tlt_wrong").status_code == 401


def test_api_applies_the_same_permissions_as_the_ui(client, personas):
    _token, key = api_token_create(user=personas["reviewer"], name="board portal")
    assert client.get("/api/datasets", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
    _token, key = api_token_create(user=personas["controller"], name="ekonomi")
    assert client.get("/api/datasets", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_security_headers_are_sent(client, db):
    response = client.get("/konto/logga-in/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_ui_is_swedish_by_default_and_english_on_request(client, db):
    page = client.get("/konto/logga-in/")
    assert b'lang="sv"' in page.content and b"Logga in" in page.content
    page = client.get("/konto/logga-in/", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["tillit_language"] = "en"
    page = client.get("/konto/logga-in/")
    assert b'lang="en"' in page.content and b"Log in" in page.content
