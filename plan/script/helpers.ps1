
# ---- Helpers. Fixed text, the same in every script exoform writes; no value of the plan is
# ---- in them. Values reach them only as arguments.

function Get-ExoformProperty {
    # A property of an Exchange object or a Graph answer (a hashtable); $null when absent.
    param($Object, [string] $Name)
    if ($null -eq $Object) { return $null }
    if ($Object -is [System.Collections.IDictionary]) {
        if ($Object.Contains($Name)) { return , $Object[$Name] }
        return $null
    }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return , $property.Value
}

function Test-ExoformNotFound {
    # Only "not found" reads as an absence; every other error stops the script.
    param([System.Management.Automation.ErrorRecord] $Record)
    $exception = $Record.Exception
    if ($null -ne $exception.PSObject.Properties['Response'] -and $null -ne $exception.Response) {
        return [int] $exception.Response.StatusCode -eq 404
    }
    $text = [string] $Record.FullyQualifiedErrorId + ' ' + [string] $Record.CategoryInfo.Reason + ' ' + $exception.Message
    return $text -match 'ManagementObjectNotFoundException' -or $text -match "couldn't be found"
}

function Test-ExoformList {
    param($Value)
    return $Value -is [System.Collections.IEnumerable] -and $Value -isnot [string] -and $Value -isnot [System.Collections.IDictionary]
}

function ConvertTo-ExoformStrings {
    # The strings a value compares as: $null, '' and an empty list are none at all. A date
    # that a JSON reader turned into a DateTime is written back as Graph writes it.
    param($Value)
    if ($null -eq $Value) { return }
    if ($Value -is [datetime]) {
        $Value.ToUniversalTime().ToString('yyyy-MM-dd''T''HH:mm:ss''Z''', [cultureinfo]::InvariantCulture)
        return
    }
    if (Test-ExoformList $Value) {
        foreach ($element in $Value) { [string] $element }
        return
    }
    $text = [string] $Value
    if ($text -ne '') { $text }
}

function Get-ExoformOwner {
    # The workspace named by exoform's ownership marker in a free-text field; '' when none.
    param($Text)
    $match = [regex]::Match([string] $Text, '(?m)^\[managed-by exoform workspace=([A-Za-z0-9][A-Za-z0-9._-]{0,63})( prevent_destroy)?( allow_destroy)?\]\s*\z')
    if ($match.Success) { return $match.Groups[1].Value }
    return ''
}

function Test-ExoformValue {
    # Compares a property as read with a value of the plan, by exoform's rules: lists as sets
    # ignoring case, Booleans and 'Fold' ignoring case, other values exactly.
    param($Actual, $Expected, [string] $Compare)
    if ($Compare -eq 'Owner') { return (Get-ExoformOwner $Actual) -ceq [string] $Expected }
    $actualStrings = @(ConvertTo-ExoformStrings $Actual)
    $expectedStrings = @(ConvertTo-ExoformStrings $Expected)
    if ($Compare -eq 'Set' -or (Test-ExoformList $Actual) -or (Test-ExoformList $Expected)) {
        $a = @($actualStrings | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object)
        $e = @($expectedStrings | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object)
        if ($a.Count -ne $e.Count) { return $false }
        for ($i = 0; $i -lt $a.Count; $i++) {
            if ($a[$i] -cne $e[$i]) { return $false }
        }
        return $true
    }
    if ($Expected -is [bool] -or $Compare -eq 'Fold') { return ($actualStrings -join '') -eq ($expectedStrings -join '') }
    return ($actualStrings -join '') -ceq ($expectedStrings -join '')
}

function Read-ExoformObject {
    # Reads the object a change is about. With -Wait (an object this script created moments
    # ago), an absence is read again for a while, as the service replicates.
    param([scriptblock] $Read, [string] $List = '', [hashtable] $Match = @{}, [switch] $Wait)
    for ($attempt = 1; ; $attempt++) {
        $answer = $null
        try { $answer = & $Read }
        catch { if (-not (Test-ExoformNotFound $_)) { throw } }
        $candidates = @()
        if ($null -ne $answer) {
            if ($List -ne '') { $candidates = @(Get-ExoformProperty $answer $List) } else { $candidates = @($answer) }
        }
        foreach ($candidate in $candidates) {
            $matched = $true
            foreach ($name in $Match.Keys) {
                if ([string] (Get-ExoformProperty $candidate $name) -ne $Match[$name]) { $matched = $false }
            }
            if ($matched) { return $candidate }
        }
        if (-not $Wait -or $attempt -ge 30) { return $null }
        Start-Sleep -Seconds 10
    }
}

function Test-ExoformGuard {
    # $true: make the change. $false: an earlier run made it. Stops the script when the object
    # is neither as the plan saw it nor as the change leaves it: the tenant changed since the
    # plan was made (the rule of "exoform apply PLANFILE").
    param([string] $Address, [string] $Kind, [switch] $Pending, $Object, [object[]] $Checks)
    $exists = $null -ne $Object
    $before = if ($Kind -eq 'Create') { -not $exists } else { $exists }
    $after = if ($Kind -eq 'Delete') { -not $exists } else { $exists }
    $changed = @()
    if ($exists) {
        foreach ($check in $Checks) {
            $actual = Get-ExoformProperty $Object $check.Property
            $isBefore = Test-ExoformValue $actual $check.Before $check.Compare
            $isAfter = Test-ExoformValue $actual $check.After $check.Compare
            if (-not $Pending) { $before = $before -and $isBefore }
            $after = $after -and $isAfter
            if (-not $Pending -and -not $isBefore -and -not $isAfter) { $changed += $check.Attr }
        }
    }
    if ($before) { return $true }
    if ($after) {
        Write-Host ($Address + ': already done by an earlier run, skipped')
        return $false
    }
    $what = if ($changed.Count -gt 0) { 'changed: ' + ($changed -join ', ') } elseif ($exists) { 'it exists' } else { 'it does not exist' }
    throw ($Address + ' is no longer as the plan saw it (' + $what + '). Nothing more was changed. Run exoform plan again and review the new plan.')
}

function Invoke-ExoformStep {
    # Runs one operation. With -Wait (it uses an object this script created moments ago), a
    # "not found" is retried for a while, as the service replicates.
    param([scriptblock] $Step, [switch] $Wait)
    for ($attempt = 1; ; $attempt++) {
        try { return & $Step }
        catch {
            if (-not $Wait -or $attempt -ge 30 -or -not (Test-ExoformNotFound $_)) { throw }
            Write-Host 'Waiting for the service to replicate a new object...'
            Start-Sleep -Seconds 10
        }
    }
}

function Get-ExoformProduced {
    # A value the service returned that later operations use (a new application's appId).
    param($Answer, [string] $Field, [string] $Reference)
    $value = [string] (Get-ExoformProperty $Answer $Field)
    if ($value -eq '') { throw ('The answer has no ' + $Field + ', needed for ' + $Reference + '.') }
    return $value
}

function Save-ExoformSecret {
    # Writes a new secret's value to a file only the current user can read, and never to the
    # console, the transcript or a variable that outlives this call.
    param($Answer, [string] $Field, [string] $Path, [string] $What)
    $value = [string] (Get-ExoformProperty $Answer $Field)
    if ($Answer -is [System.Collections.IDictionary]) { $Answer.Remove($Field) }
    if ($value -eq '') { throw ('The answer has no value for the new ' + $What + '. Delete it (or rotate it) and run again.') }
    if (Test-Path -LiteralPath $Path) { throw ($Path + ' exists; the value of the new ' + $What + ' was not written. Delete the secret and run again with another -SecretDirectory.') }
    $null = New-Item -ItemType File -Path $Path
    if ($IsWindows) {
        $acl = Get-Acl -LiteralPath $Path
        $acl.SetAccessRuleProtection($true, $false)
        $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
        $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($me, 'FullControl', 'Allow'))
        Set-Acl -LiteralPath $Path -AclObject $acl
    } else {
        chmod 600 $Path
    }
    [System.IO.File]::WriteAllText($Path, $value)
    Write-Warning ('The value of the new ' + $What + ' is in ' + $Path + '. Move it into your secret store and delete the file; it cannot be read from Microsoft Entra again.')
}
