#!/usr/bin/env bash
# rows-only round (lesson 15): scan in two batches, keep Semgrep's security rules, build, sample the rows
cd /tmp/h47
./scanall.sh django-modeltranslation django-formtools django-health-check terraform-aws-cloudfront-s3-cdn > scan_a.log 2>&1 &
./scanall.sh django-user-sessions django-push-notifications django-waffle django-rest-knox > scan_b.log 2>&1 &
wait
/work/main/.venv/bin/python filter.py django-modeltranslation django-formtools django-health-check terraform-aws-cloudfront-s3-cdn django-user-sessions django-push-notifications django-waffle django-rest-knox > filter.log 2>&1
./build.sh django-modeltranslation django-formtools django-health-check terraform-aws-cloudfront-s3-cdn > build_a.log 2>&1 &
./build.sh django-user-sessions django-push-notifications django-waffle django-rest-knox > build_b.log 2>&1 &
wait
/work/main/.venv/bin/python rows.py > rows.log 2>&1
echo CHAIN DONE $(date +%T)
