"""Drives headless Chromium (Debian chromium + chromium-driver, through python3-selenium) through
`samlkit idp serve` and two OneLogin Flask SPs (tests/interop/onelogin_flask_sp.py), for
tests/idp_browser.rs. Prints one JSON object per step on stdout: {"step", "url", "text"};
screenshots go to OUT_DIR.

usage: /usr/bin/python3 idp_browser.py IDP_BASE SP1_BASE SP2_BASE SP1_ENTITY OUT_DIR
"""
import json
import sys
import tempfile
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def report(driver, step):
    text = driver.find_element(By.TAG_NAME, "body").text
    print(json.dumps({"step": step, "url": driver.current_url, "text": text}), flush=True)


def wait_for(driver, predicate, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what} at {driver.current_url}: {driver.page_source[:2000]}")


def main():
    idp, sp1, sp2, sp1_entity, out = sys.argv[1:6]
    options = webdriver.ChromeOptions()
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--window-size=1000,1400",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='samlkit-chromium-')}"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        # SP-initiated login (HTTP-Redirect AuthnRequest): the IdP's login page.
        driver.get(sp1 + "/login")
        wait_for(driver, lambda: driver.find_element(By.ID, "login"), "the login page")
        driver.save_screenshot(out + "/idp-login-page.png")
        report(driver, "login_page")
        driver.find_element(By.ID, "login").click()
        wait_for(driver, lambda: "logged in as" in driver.find_element(By.TAG_NAME, "body").text, "SP1 login")
        driver.save_screenshot(out + "/sp-after-login.png")
        report(driver, "sp1_logged_in")

        # SSO on the second SP without the page.
        driver.get(sp2 + "/login")
        wait_for(driver, lambda: "logged in as" in driver.find_element(By.TAG_NAME, "body").text, "SP2 SSO")
        report(driver, "sp2_sso")

        # IdP-initiated login to SP1 (from the IdP session: no page).
        driver.get(idp + "/sso/init?sp=" + urllib.parse.quote(sp1_entity, safe=""))
        wait_for(driver, lambda: driver.current_url.startswith(sp1) and "logged in as" in driver.find_element(By.TAG_NAME, "body").text, "IdP-initiated login")
        report(driver, "idp_initiated")

        # Single logout from SP1: the IdP ends its session and logs SP2 out in a frame.
        driver.get(sp1 + "/logout")
        wait_for(driver, lambda: driver.find_element(By.ID, "logged-out"), "the IdP's logout page")
        time.sleep(1)  # the frame's LogoutRequest to SP2 loads
        report(driver, "idp_logged_out")
        driver.find_element(By.ID, "continue").click()
        wait_for(driver, lambda: driver.current_url.startswith(sp1), "back at SP1")
        driver.get(sp1 + "/")
        report(driver, "sp1_after_logout")
        driver.get(sp2 + "/")
        report(driver, "sp2_after_logout")

        # A break picked on the login page: SP1 must refuse the response.
        driver.get(sp1 + "/login")
        wait_for(driver, lambda: driver.find_element(By.ID, "login"), "the login page again")
        driver.find_element(By.CSS_SELECTOR, "input[name=break][value=xsw3]").click()
        driver.find_element(By.ID, "login").click()
        wait_for(driver, lambda: driver.current_url.startswith(sp1 + "/acs"), "SP1's verdict")
        driver.save_screenshot(out + "/sp-refuses-xsw3.png")
        report(driver, "break_refused")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
